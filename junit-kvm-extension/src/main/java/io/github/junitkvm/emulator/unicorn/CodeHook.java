package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/** {@code uc_cb_hookcode_t}: the guest is about to execute an instruction (a {@code UC_HOOK_CODE} hook). */
@FunctionalInterface
public interface CodeHook extends Callback {
    /**
     * @param uc the engine
     * @param address the instruction's linear address (CS base + IP outside 64-bit code)
     * @param size the instruction's length in bytes
     * @param userData as given to {@code uc_hook_add}
     */
    void invoke(Pointer uc, long address, int size, Pointer userData);
}
