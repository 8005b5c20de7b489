package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;

/** {@code uc_cb_mmio_write_t}: the guest writes a range mapped with {@code uc_mmio_map}. */
@FunctionalInterface
public interface MmioWriteCallback extends Callback {
    /**
     * @param uc the engine
     * @param offset the offset from the start of the mapped range
     * @param size the access size in bytes
     * @param value the value written
     * @param userData as given to {@code uc_mmio_map}
     */
    void invoke(Pointer uc, long offset, int size, long value, Pointer userData);
}
