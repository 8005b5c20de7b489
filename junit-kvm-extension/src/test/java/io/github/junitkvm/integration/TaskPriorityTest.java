package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.VmExit;
import org.junit.jupiter.api.Test;

/**
 * A guest that raises and lowers its task priority (CR8), as an OS does around critical sections:
 * KVM without an in-kernel local APIC reports each lowering as {@code KVM_EXIT_SET_TPR}, which
 * the run takes in its stride, so the guest runs on to its end on every backend.
 */
class TaskPriorityTest {
    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0xf, %rax
                    mov     %rax, %cr8      # raise
                    xor     %eax, %eax
                    mov     %rax, %cr8      # lower: KVM_EXIT_SET_TPR on KVM
                    mov     $3, %rax
                    mov     %rax, %cr8
                    mov     $1, %rax
                    mov     %rax, %cr8      # lower again
                    mov     $0x3f8, %dx
                    mov     $'k', %al
                    out     %al, %dx
                    hlt
            """)
    void aGuestThatLowersItsTaskPriorityRunsOn(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("k");
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x3f8, 'k'), VmExit.hlt());
    }

    /**
     * CR8 and {@code IA32_APIC_BASE} read back: KVM keeps what the guest wrote in CR8 and has the
     * APIC base of a bootstrap processor whose local APIC is disabled (no {@code Device.LOCAL_APIC});
     * Unicorn models neither and has no hook on the instructions, so both read 0 there.
     */
    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $5, %rax
                    mov     %rax, %cr8
                    mov     %cr8, %rbx
                    mov     $0x1b, %ecx
                    rdmsr
                    hlt
            """)
    void crEightAndTheApicBaseReadBackOnKvmOnly(GuestRun run) {
        assertThat(run).haltedNormally();
        if (run.backend() == Backend.KVM) {
            assertThat(run).registers().hasRbx(5).hasRax(0xfee0_0100L).hasRdx(0);
        } else {
            assertThat(run).registers().hasRbx(0).hasRax(0).hasRdx(0);
        }
    }
}
