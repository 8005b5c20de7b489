package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/**
 * {@code uc_cb_hookintr_t}: a CPU exception or {@code INT n} (a {@code UC_HOOK_INTR} hook). Unicorn
 * never delivers these through the guest's IVT or IDT; returning without {@code uc_emu_stop}
 * re-executes the faulting instruction.
 */
@FunctionalInterface
public interface InterruptHook extends Callback {
    /**
     * @param uc the engine
     * @param vector the interrupt or exception vector
     * @param userData as given to {@code uc_hook_add}
     */
    void invoke(Pointer uc, int vector, Pointer userData);
}
