package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GuestAssemblerTest {
    private static final long LIMIT = 0x10000;

    private final AtomicInteger invocations = new AtomicInteger();
    private final Binutils binutils = new Binutils();
    private final GuestAssembler assembler = new GuestAssembler((source, mode, loadAddress, limit) -> {
        invocations.incrementAndGet();
        return binutils.assemble(source, mode, loadAddress, limit);
    }, GuestAssembler.DEFAULT_CAPACITY);

    /** Sources assembled by {@link #sized}, in order. */
    private final List<String> assembledSources = new ArrayList<>();
    /** Assembles "n" to n bytes, keeping at most 100 bytes. */
    private final GuestAssembler sized = new GuestAssembler((source, mode, loadAddress, limit) -> {
        assembledSources.add(source);
        return new byte[Integer.parseInt(source)];
    }, 100);

    @Test
    void assemblesTheSameContentOnlyOnce() {
        byte[] first = assembler.assemble("mov $0x3f8, %dx\nhlt", CpuMode.REAL, 0x1000, LIMIT);
        byte[] again = assembler.assemble("mov $0x3f8, %dx\nhlt", CpuMode.REAL, 0x1000, LIMIT);

        assertThat(again).isEqualTo(first).containsExactly(0xba, 0xf8, 0x03, 0xf4);
        assertThat(invocations).hasValue(1);
    }

    @Test
    void tellsContentApartBySourceModeAndLoadAddress() {
        assembler.assemble("here: mov $here, %dx", CpuMode.REAL, 0x1000, LIMIT);
        byte[] otherSource = assembler.assemble("here: mov $here, %cx", CpuMode.REAL, 0x1000, LIMIT);
        byte[] otherMode = assembler.assemble("here: mov $here, %dx", CpuMode.PROTECTED, 0x1000, LIMIT);
        byte[] otherAddress = assembler.assemble("here: mov $here, %dx", CpuMode.REAL, 0x2000, LIMIT);

        assertThat(invocations).hasValue(4);
        assertThat(otherSource).containsExactly(0xb9, 0x00, 0x10);
        assertThat(otherMode).as("operand-size prefix in 32-bit code").containsExactly(0x66, 0xba, 0x00, 0x10);
        assertThat(otherAddress).containsExactly(0xba, 0x00, 0x20);
    }

    @Test
    void handsOutCopiesSoThatNoCallerCanChangeTheCache() {
        assembler.assemble("hlt", CpuMode.REAL, 0x1000, LIMIT)[0] = 0;

        assertThat(assembler.assemble("hlt", CpuMode.REAL, 0x1000, LIMIT)).containsExactly(0xf4);
    }

    @Test
    void keepsNoMoreThanItsCapacityDroppingTheLeastRecentlyUsed() {
        assemble("40");
        assemble("41");
        assemble("40");
        assemble("42");
        assemble("40");
        assemble("41");

        assertThat(assembledSources).as("41 was used least recently when 42 came")
                .containsExactly("40", "41", "42", "41");
    }

    @Test
    void neverKeepsCodeLargerThanItsCapacity() {
        assemble("101");
        assemble("101");

        assertThat(assembledSources).containsExactly("101", "101");
    }

    @Test
    void refusesCachedCodeLargerThanTheLimit() {
        assemble("40");

        assertThatThrownBy(() -> sized.assemble("40", CpuMode.REAL, 0x1000, 16)).isInstanceOf(InvalidImageException.class)
                .hasMessage("the code is larger than the 16 bytes of RAM from loadAddress 0x1000 to the end of its region");
    }

    private void assemble(String source) {
        sized.assemble(source, CpuMode.REAL, 0x1000, LIMIT);
    }
}
