package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/** {@code uc_cb_mmio_read_t}: the guest reads a range mapped with {@code uc_mmio_map}. */
@FunctionalInterface
public interface MmioReadCallback extends Callback {
    /**
     * @param uc the engine
     * @param offset the offset from the start of the mapped range
     * @param size the access size in bytes
     * @param userData as given to {@code uc_mmio_map}
     * @return the value the guest reads
     */
    long invoke(Pointer uc, long offset, int size, Pointer userData);
}
