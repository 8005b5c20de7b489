package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GuestAssemblerTest {
    private final AtomicInteger invocations = new AtomicInteger();
    private final Binutils binutils = new Binutils();
    private final GuestAssembler assembler = new GuestAssembler((source, mode, loadAddress) -> {
        invocations.incrementAndGet();
        return binutils.assemble(source, mode, loadAddress);
    });

    @Test
    void assemblesTheSameContentOnlyOnce() {
        byte[] first = assembler.assemble("mov $0x3f8, %dx\nhlt", CpuMode.REAL, 0x1000);
        byte[] again = assembler.assemble("mov $0x3f8, %dx\nhlt", CpuMode.REAL, 0x1000);

        assertThat(again).isEqualTo(first).containsExactly(0xba, 0xf8, 0x03, 0xf4);
        assertThat(invocations).hasValue(1);
    }

    @Test
    void tellsContentApartBySourceModeAndLoadAddress() {
        assembler.assemble("here: mov $here, %dx", CpuMode.REAL, 0x1000);
        byte[] otherSource = assembler.assemble("here: mov $here, %cx", CpuMode.REAL, 0x1000);
        byte[] otherMode = assembler.assemble("here: mov $here, %dx", CpuMode.PROTECTED, 0x1000);
        byte[] otherAddress = assembler.assemble("here: mov $here, %dx", CpuMode.REAL, 0x2000);

        assertThat(invocations).hasValue(4);
        assertThat(otherSource).containsExactly(0xb9, 0x00, 0x10);
        assertThat(otherMode).as("operand-size prefix in 32-bit code").containsExactly(0x66, 0xba, 0x00, 0x10);
        assertThat(otherAddress).containsExactly(0xba, 0x00, 0x20);
    }

    @Test
    void handsOutCopiesSoThatNoCallerCanChangeTheCache() {
        assembler.assemble("hlt", CpuMode.REAL, 0x1000)[0] = 0;

        assertThat(assembler.assemble("hlt", CpuMode.REAL, 0x1000)).containsExactly(0xf4);
    }
}
