package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.Memory;
import org.junit.jupiter.api.Test;

/**
 * Faults end the run with a reason and its code, and the run's description names the mode and shows
 * the registers. Where the backends differ (README, "What the emulator cannot do"), each test states
 * both behaviours.
 */
class FaultsTest {
    private static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    private static final int INVALID_OPCODE = 6;

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = "90 0f 0b f4")  // nop; ud2; hlt — with no IDT in the guest
    void anExceptionWithoutAnIdtIsATripleFaultOnKvm(GuestRun run) {
        if (run.backend() == Backend.KVM) {
            assertThat(run).stoppedWith(ExitReason.SHUTDOWN);
        } else {
            assertThat(run).stoppedWith(ExitReason.EMULATOR_FAULT);
            assertThat(run.lastExit().value()).as("vector").isEqualTo(INVALID_OPCODE);
            assertThat(run).registers().hasRip(0x1001);
        }
        assertDescribedWithModeAndRegisters(run, CpuMode.LONG);
    }

    @Test
    @KvmGuest(memory = @Memory(size = 0x10000), code = "ea 00 00 00 20")  // jmp 0x2000:0 — outside RAM
    void executingOutsideRamIsAnInternalErrorOnKvm(GuestRun run) {
        if (run.backend() == Backend.KVM) {
            assertThat(run).stoppedWith(ExitReason.INTERNAL_ERROR);
            assertThat(run.lastExit().value()).as("suberror").isEqualTo(KVM_INTERNAL_ERROR_EMULATION);
            assertThat(run.lastExit().detail()).contains("KVM_INTERNAL_ERROR_EMULATION");
        } else {
            assertThat(run).stoppedWith(ExitReason.EMULATOR_FAULT);
            assertThat(run.lastExit().detail()).contains("UC_ERR_FETCH_PROT", "linear 0x20000");
        }
        assertDescribedWithModeAndRegisters(run, CpuMode.REAL);
    }

    private static void assertDescribedWithModeAndRegisters(GuestRun run, CpuMode mode) {
        assertThat(run.toString()).contains("in " + mode + " mode", "stopped by " + run.lastExit(), "rip", "cr0");
    }
}
