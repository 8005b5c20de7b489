package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.guest.GuestSpecReader;
import io.github.junitkvm.guest.GuestVm;
import io.github.junitkvm.testsupport.KvmHost;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * PVM ({@code kvm_pvm}, KVM for guests without hardware virtualization) accepts CR0.PG from
 * {@code KVM_SET_SREGS} only together with EFER.LME, and drops it silently otherwise; a
 * {@code PAGED} guest would then shut down at its first instruction. The guest layer reads the
 * registers back and fails with the reason instead. On other hosts {@code PAGED} runs: the test
 * states both behaviours, so it runs, and checks something, on every KVM.
 */
@Tag("kvm")
class PvmPagingTest {

    @KvmGuest(mode = CpuMode.PAGED, code = "f4")
    void paged() {
    }

    @Test
    void aPvmKvmSaysHowItDeviatesSoThatAutoPrefersTheEmulatorAndAnotherKvmDoesNot() {
        try (KvmHypervisor kvm = KvmHypervisor.open()) {
            if (KvmHost.isPvm()) {
                assertThat(kvm.deviation()).hasValueSatisfying(why -> assertThat(why)
                        .startsWith("/dev/kvm is kvm_pvm, KVM without hardware virtualization"));
            } else {
                assertThat(kvm.deviation()).isEmpty();
            }
        }
    }

    @Test
    void aPagedGuestFailsWithTheReasonOnPvmAndRunsElsewhere() throws Exception {
        KvmGuest guest = getClass().getDeclaredMethod("paged").getAnnotation(KvmGuest.class);
        var spec = new GuestSpecReader(getClass().getClassLoader()).read(guest);
        try (KvmHypervisor kvm = KvmHypervisor.open()) {
            if (KvmHost.isPvm()) {
                assertThatThrownBy(() -> GuestVm.create(kvm, spec).close())
                        .isInstanceOf(HypervisorException.class)
                        .hasMessageStartingWith("this backend cannot start a guest in PAGED mode: it was given CR0 = 0x80000011")
                        .hasMessageContaining("kept CR0 = 0x11");
            } else {
                try (GuestVm vm = GuestVm.create(kvm, spec)) {
                    assertThat(vm.run().lastExit()).isEqualTo(VmExit.hlt());
                    assertThat(vm.specialRegisters().cr0() & 0x8000_0001L).isEqualTo(0x8000_0001L);
                }
            }
        }
    }
}
