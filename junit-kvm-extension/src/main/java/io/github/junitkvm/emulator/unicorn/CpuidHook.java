package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/** {@code uc_cb_insn_cpuid_t}: the guest executed {@code CPUID} (a {@code UC_HOOK_INSN} hook). */
@FunctionalInterface
public interface CpuidHook extends Callback {
    /**
     * @param uc the engine
     * @param userData as given to {@code uc_hook_add}
     * @return 1 if the hook set the answer's registers itself, 0 to let Unicorn answer
     */
    int invoke(Pointer uc, Pointer userData);
}
