package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/** {@code uc_cb_insn_in_t}: the guest executed {@code IN} (a {@code UC_HOOK_INSN} hook). */
@FunctionalInterface
public interface InHook extends Callback {
    /**
     * @param uc the engine
     * @param port the port
     * @param size 1, 2 or 4
     * @param userData as given to {@code uc_hook_add}
     * @return the value the guest reads, cut to {@code size} by Unicorn
     */
    int invoke(Pointer uc, int port, int size, Pointer userData);
}
