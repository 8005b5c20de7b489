package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/**
 * {@code uc_cb_hookmem_t}: the guest is about to access memory (a {@code UC_HOOK_MEM_READ} or
 * {@code UC_HOOK_MEM_WRITE} hook), reported once per access of an instruction, whole.
 */
@FunctionalInterface
public interface MemoryAccessHook extends Callback {
    /**
     * @param uc the engine
     * @param type {@code UC_MEM_READ} or {@code UC_MEM_WRITE}
     * @param address the guest address
     * @param size the access size in bytes
     * @param value the value of a write
     * @param userData as given to {@code uc_hook_add}
     */
    void invoke(Pointer uc, int type, long address, int size, long value, Pointer userData);
}
