package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import org.junit.jupiter.api.Test;

/**
 * A hypercall: the guest asks the host to compute something with an {@code OUT}, and the handler
 * answers in the guest's registers while the guest waits at the instruction.
 *
 * <p>What to learn: a handler may read and change the VM in the middle of a run (the guide's "The
 * machine at an exit").
 */
class HypercallTest {
    // tag::hypercall[]
    @Test
    @KvmGuest(asm = """
            mov  $6, %bx
            mov  $7, %cx
            out  %al, $0x60     # hypercall: multiply BX by CX, answer in AX
            mov  %ax, %dx
            hlt
            """)
    void hypercall(KvmVm vm) {
        vm.onPortOut(0x60, (port, size, value) -> {
            GeneralRegisters at = vm.registers();          // RIP points at the OUT
            vm.setRegisters(at.withRax(at.rbx() * at.rcx()));
        });
        assertThat(vm.run()).haltedNormally().registers().hasRdx(42);
    }
    // end::hypercall[]
}
