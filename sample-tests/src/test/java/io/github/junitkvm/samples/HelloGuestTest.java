package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import io.github.junitkvm.VmExit;
import org.junit.jupiter.api.Test;

/**
 * The classic {@code /dev/kvm} sample as one annotation: one page of RAM at 0x1000, a real-mode
 * program that adds two registers and prints the sum to COM1, run until {@code HLT}.
 *
 * <pre>
 *     mov dx, 0x3f8
 *     add al, bl
 *     add al, '0'
 *     out dx, al
 *     mov al, 10
 *     out dx, al
 *     hlt
 * </pre>
 */
class HelloGuestTest {
    private static final String ADD_AND_PRINT = "ba f8 03 00 d8 04 30 ee b0 0a ee f4";

    @Test
    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), code = ADD_AND_PRINT,
              registers = @Registers(rax = 2, rbx = 2))
    void twoPlusTwoIsFour(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("4\n");
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x3f8, '4'), VmExit.ioOut(0x3f8, '\n'), VmExit.hlt());
        assertThat(run).registers().hasRax('\n').hasRip(0x100c);
    }

    @Test
    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), code = ADD_AND_PRINT)
    void theTestChoosesTheOperands(KvmVm vm) {
        vm.setRegisters(vm.registers().withRax(3).withRbx(5));

        assertThat(vm.run()).haltedNormally().hasSerialOutput("8\n");
    }

    @Test
    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), code = ADD_AND_PRINT,
              registers = @Registers(rax = 2, rbx = 2))
    void theGuestsMemoryAndCodeCanBeInspected(GuestRun run) {
        assertThat(run).memoryAt(0x1000, 4).containsExactly(0xba, 0xf8, 0x03, 0x00);
        assertThat(run.memory().readShort(0x1001)).isEqualTo(0x3f8);
    }
}
