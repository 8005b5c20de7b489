package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.guest.GuestSpecReader;
import io.github.junitkvm.guest.GuestVm;
import io.github.junitkvm.testsupport.KvmHost;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * PVM ({@code kvm_pvm}) accepts {@code KVM_SET_GUEST_DEBUG} with single-step, but runs the
 * instruction after an I/O exit without stopping and steps over {@code HLT}, so a traced guest
 * would run past its end. The backend probes single-step once and refuses to trace where it is not
 * faithful, saying why. On other hosts the trace works: the test states both behaviours, so it
 * runs, and checks something, on every KVM.
 */
@Tag("kvm")
class PvmSingleStepTest {

    @KvmGuest(code = "e6 80 90 f4", trace = 8)  // out 0x80,al ; nop ; hlt: the probe's own program
    void traced() {
    }

    @Test
    void aTracedGuestFailsWithTheReasonOnPvmAndIsTracedElsewhere() throws Exception {
        KvmGuest guest = getClass().getDeclaredMethod("traced").getAnnotation(KvmGuest.class);
        var spec = new GuestSpecReader(getClass().getClassLoader()).read(guest);
        try (KvmHypervisor kvm = KvmHypervisor.open()) {
            if (KvmHost.isPvm()) {
                assertThatThrownBy(() -> GuestVm.create(kvm, spec).close())
                        .isInstanceOf(HypervisorException.class)
                        .hasMessageStartingWith("this KVM cannot trace guests: a probe guest (out 0x80, al; nop; hlt at 0x1000)"
                                + " single-stepped through [0x1000, 0x1003, 0x1004] and stopped on STOP_PORT,"
                                + " where a faithful single-step goes through [0x1000, 0x1002, 0x1003] and stops on HLT")
                        .hasMessageEndingWith("run traced tests with -Djunitkvm.backend=emulator, or on a KVM with"
                                + " hardware virtualization");
            } else {
                try (GuestVm vm = GuestVm.create(kvm, spec)) {
                    var run = vm.run();
                    assertThat(run.exits()).containsExactly(VmExit.ioOut(0x80, 0), VmExit.hlt());
                    assertThat(run.trace()).contains(new InstructionTrace(List.of(0x1000L, 0x1002L, 0x1003L), 3));
                }
            }
        }
    }
}
