package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/** {@code uc_cb_insn_out_t}: the guest executed {@code OUT} (a {@code UC_HOOK_INSN} hook). */
@FunctionalInterface
public interface OutHook extends Callback {
    /**
     * @param uc the engine
     * @param port the port
     * @param size 1, 2 or 4
     * @param value the value written
     * @param userData as given to {@code uc_hook_add}
     */
    void invoke(Pointer uc, int port, int size, int value, Pointer userData);
}
