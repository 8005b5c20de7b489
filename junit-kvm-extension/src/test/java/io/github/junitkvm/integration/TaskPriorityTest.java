package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

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
}
