package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestVcpu;
import io.github.junitkvm.VmExit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the differential test compares of a run. */
class RunDigestTest {
    private final GuestRun run = mock(GuestRun.class);

    @Test
    void showsHowItStoppedTheOutputTheExitsAndTheRegistersButRflags() {
        stoppedBy(VmExit.hlt());

        assertThat(RunDigest.of(run)).matches("stop=HLT; serial=\"ok\\\\n\"; exits=2 sha256:[0-9a-f]{16};"
                + " registers=1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1234");
    }

    @Test
    void keepsRipWhereTheRunStoppedAtAPortWrite() {
        for (VmExit stop : List.of(VmExit.debugExit(0), VmExit.guestDone(), VmExit.guestAssertionFailed())) {
            stoppedBy(stop);

            assertThat(RunDigest.of(run)).as("%s", stop).endsWith("registers=1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1234");
        }
    }

    @Test
    void hashesTheExitsOfSeveralVcpusEachInItsOwnOrderWhateverTheirInterleaving() {
        VmExit bsp = VmExit.ioOut(0x3f8, 'b');
        VmExit ap = VmExit.ioOut(0x3f8, 'a');
        GuestRun other = mock(GuestRun.class);
        for (GuestRun each : List.of(run, other)) {
            stoppedBy(each, VmExit.hlt());
            when(each.vcpuCount()).thenReturn(2);
            GuestVcpu first = mock(GuestVcpu.class);
            GuestVcpu second = mock(GuestVcpu.class);
            when(first.exits()).thenReturn(List.of(bsp, VmExit.hlt()));
            when(second.exits()).thenReturn(List.of(ap, VmExit.hlt()));
            when(each.vcpu(0)).thenReturn(first);
            when(each.vcpu(1)).thenReturn(second);
        }
        when(run.exits()).thenReturn(List.of(bsp, ap, VmExit.hlt(), VmExit.hlt()));
        when(other.exits()).thenReturn(List.of(ap, bsp, VmExit.hlt(), VmExit.hlt()));

        assertThat(RunDigest.of(run)).isEqualTo(RunDigest.of(other));
    }

    private void stoppedBy(VmExit stop) {
        stoppedBy(run, stop);
    }

    private static void stoppedBy(GuestRun run, VmExit stop) {
        when(run.vcpuCount()).thenReturn(1);
        when(run.lastExit()).thenReturn(stop);
        when(run.exits()).thenReturn(List.of(VmExit.ioOut(0x3f8, 'o'), stop));
        when(run.serialOutput()).thenReturn("ok\n");
        when(run.registers()).thenReturn(GeneralRegisters.initial().withRax(1).withRip(0x1234).withRflags(0x46));
    }
}
