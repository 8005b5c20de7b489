package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import org.junit.jupiter.api.Test;

/**
 * The program of {@link HelloGuestTest}, one page of RAM at 0x1000 that adds two registers and
 * prints the sum to COM1, with operands the test chooses, and its memory inspected after the run.
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
class AddAndPrintTest {
    private static final String ADD_AND_PRINT = "ba f8 03 00 d8 04 30 ee b0 0a ee f4";

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
        assertThat(run).registers().hasRip(0x100c);
    }
}
