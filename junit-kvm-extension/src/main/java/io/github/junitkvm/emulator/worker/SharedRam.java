package io.github.junitkvm.emulator.worker;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.RamRegion;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest RAM of a machine of several vCPUs, in host memory of the worker's own, which every
 * vCPU's engine maps ({@code uc_mem_map_ptr}): what one vCPU writes, the others read. Allocated
 * with {@code calloc}, whose large blocks are fresh zero pages the host provides as the guest
 * touches them, so RAM costs what the guest uses, as Unicorn's own RAM does. Owned by one
 * {@link UnicornVcpus}, which closes it after its engines.
 */
final class SharedRam implements AutoCloseable {
    private static final NativeLibrary LIBC = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    private static final Function CALLOC = LIBC.getFunction("calloc");
    private static final Function FREE = LIBC.getFunction("free");

    private final List<RamRegion> ram;
    private final List<Pointer> blocks = new ArrayList<>();

    private SharedRam(List<RamRegion> ram) {
        this.ram = ram;
    }

    /**
     * @param ram the regions
     * @return zeroed host memory for each
     * @throws HypervisorException if the host has not enough memory
     */
    static SharedRam allocate(List<RamRegion> ram) {
        SharedRam shared = new SharedRam(ram);
        try {
            shared.allocateBlocks();
            return shared;
        } catch (RuntimeException e) {
            shared.close();
            throw e;
        }
    }

    private void allocateBlocks() {
        for (RamRegion region : ram) {
            Pointer block = (Pointer) CALLOC.invoke(Pointer.class, new Object[] {1L, region.size()});
            if (block == null) {
                throw new HypervisorException(String.format("the emulator worker could not allocate the 0x%x bytes of"
                        + " the RAM at 0x%x", region.size(), region.guestAddress()));
            }
            blocks.add(block);
        }
    }

    /**
     * @param index the region's index in the machine's RAM list
     * @return its host memory
     */
    Pointer region(int index) {
        return blocks.get(index);
    }

    /** Makes all RAM zero again, as new: fresh blocks replace the old ones, whose pages go back. */
    void zero() {
        close();
        allocateBlocks();
    }

    /** Frees the memory; only after every engine that maps it is closed. Idempotent. */
    @Override
    public void close() {
        for (Pointer block : blocks) {
            FREE.invoke(void.class, new Object[] {block});
        }
        blocks.clear();
    }
}
