package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/**
 * {@code uc_cb_eventmem_t}: the guest touched unmapped memory (a {@code UC_HOOK_MEM_UNMAPPED}
 * hook).
 */
@FunctionalInterface
public interface UnmappedAccessHook extends Callback {
    /**
     * @param uc the engine
     * @param type {@code UC_MEM_READ_UNMAPPED}, {@code UC_MEM_WRITE_UNMAPPED} or
     *     {@code UC_MEM_FETCH_UNMAPPED}
     * @param address the guest address
     * @param size the access size
     * @param value the value of a write
     * @param userData as given to {@code uc_hook_add}
     * @return non-zero to go on (after mapping the memory), zero to stop with an error
     */
    byte invoke(Pointer uc, int type, long address, int size, long value, Pointer userData);
}
