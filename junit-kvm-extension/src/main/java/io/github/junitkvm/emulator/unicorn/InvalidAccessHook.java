package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/**
 * {@code uc_cb_eventmem_t}: the guest made an access that the memory map does not allow: to
 * unmapped memory (a {@code UC_HOOK_MEM_UNMAPPED} hook) or a write to memory mapped without
 * {@code UC_PROT_WRITE} (a {@code UC_HOOK_MEM_WRITE_PROT} hook).
 */
@FunctionalInterface
public interface InvalidAccessHook extends Callback {
    /**
     * @param uc the engine
     * @param type a {@code UC_MEM_*_UNMAPPED} or {@code UC_MEM_*_PROT} access type
     * @param address the guest address
     * @param size the access size
     * @param value the value of a write
     * @param userData as given to {@code uc_hook_add}
     * @return non-zero to go on (after an unmapped access: once the memory is mapped; after a write
     *     to write-protected memory: without writing, since Unicorn 2 discards it), zero to stop
     *     with an error
     */
    byte invoke(Pointer uc, int type, long address, int size, long value, Pointer userData);
}
