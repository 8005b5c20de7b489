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
 * the registers. Where the backends differ (docs/backends.md, "What the emulator cannot do"), each test states
 * both behaviours; running code outside RAM is {@code MmioAccessTest}'s.
 */
class FaultsTest {
    @Test
    @KvmGuest(mode = CpuMode.LONG, code = "90 0f 0b f4")  // nop; ud2; hlt — with no IDT in the guest
    void anExceptionWithoutAnIdtIsATripleFault(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.SHUTDOWN);
        if (run.backend() == Backend.EMULATOR) {
            // KVM reports the shutdown alone; the emulator names the exception that led to it.
            assertThat(run.lastExit().detail()).contains("#UD invalid opcode (vector 6) at linear 0x1001",
                    "delivering #DF double fault");
        }
        assertDescribedWithModeAndRegisters(run, CpuMode.LONG);
    }

    private static void assertDescribedWithModeAndRegisters(GuestRun run, CpuMode mode) {
        assertThat(run.toString()).contains("in " + mode + " mode", "stopped by " + run.lastExit(), "rip", "cr0");
    }
}
