package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import org.junit.jupiter.api.Test;

/**
 * Faults end the run with a reason and its code, and the run's description names the mode and shows
 * the registers. Where the backends differ (README, "What the emulator cannot do"), each test states
 * both behaviours; running code outside RAM is {@code MmioAccessTest}'s.
 */
class FaultsTest {
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

    private static void assertDescribedWithModeAndRegisters(GuestRun run, CpuMode mode) {
        assertThat(run.toString()).contains("in " + mode + " mode", "stopped by " + run.lastExit(), "rip", "cr0");
    }
}
