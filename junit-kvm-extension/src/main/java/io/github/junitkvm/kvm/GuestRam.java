package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.RamRegion;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A machine's guest RAM: one anonymous shared mapping per {@link RamRegion}, registered with KVM as
 * a memory slot, and the translation of guest physical addresses to them.
 *
 * <p>Writable slots of a resettable machine log the pages the guest dirties
 * ({@code KVM_MEM_LOG_DIRTY_PAGES}; it costs a write fault per page and log read), and every
 * host write is noted too (the log does not see them), so that {@link #zeroWritten()} can bring the
 * RAM back to all zeros touching only the pages that are not zero any more. Logging is part of
 * KVM's base API, so there is no capability to check.
 */
final class GuestRam {
    private static final int PAGE = 4096;

    /** One region, the host address of its mapping, and the pages the host wrote since the last zeroing. */
    private record Mapping(RamRegion region, long hostAddress, BitSet hostWritten) {
        long pages() {
            return region.size() / PAGE;
        }
    }

    private final int vmFd;
    private final List<Mapping> mappings;

    private GuestRam(int vmFd, List<Mapping> mappings) {
        this.vmFd = vmFd;
        this.mappings = List.copyOf(mappings);
    }

    /**
     * Maps every region and registers it with the VM, slot {@code i} for region {@code i}.
     *
     * @param vmFd the VM
     * @param regions the regions
     * @param readOnlySupported whether the kernel has {@code KVM_CAP_READONLY_MEM}
     * @param logDirtyPages whether writable slots log dirty pages, for {@link #zeroWritten()}
     * @param resources receives the release of every mapping made
     * @return the RAM
     */
    static GuestRam map(int vmFd, List<RamRegion> regions, boolean readOnlySupported, boolean logDirtyPages,
                        NativeResources resources) {
        List<Mapping> mappings = new ArrayList<>();
        try (Memory slot = new Memory(KvmUserspaceMemoryRegion.SIZE)) {
            for (int i = 0; i < regions.size(); i++) {
                RamRegion region = regions.get(i);
                if (region.readOnly() && !readOnlySupported) {
                    throw new HypervisorException("the read-only RAM region [" + hex(region.guestAddress()) + ", "
                            + hex(region.end()) + ") needs KVM_CAP_READONLY_MEM, which this kernel does not offer;"
                            + " use a kernel whose KVM has it, or -Djunitkvm.backend=emulator");
                }
                // MAP_NORESERVE: a large, mostly untouched guest RAM costs no swap reservation.
                long host = Posix.mmap(region.size(), Posix.PROT_READ | Posix.PROT_WRITE,
                        Posix.MAP_SHARED | Posix.MAP_ANONYMOUS | Posix.MAP_NORESERVE, -1,
                        "guest RAM " + describe(region));
                resources.add(() -> Posix.munmap(host, region.size()));
                mappings.add(new Mapping(region, host, new BitSet()));
                KvmUserspaceMemoryRegion.write(slot, i,
                        region.readOnly() ? KvmConstants.KVM_MEM_READONLY
                                : logDirtyPages ? KvmConstants.KVM_MEM_LOG_DIRTY_PAGES : 0,
                        region.guestAddress(), region.size(), host);
                Posix.ioctl(vmFd, KvmIoctl.KVM_SET_USER_MEMORY_REGION, Pointer.nativeValue(slot));
            }
        }
        return new GuestRam(vmFd, mappings);
    }

    /**
     * Zeroes every page the guest (per the dirty log) or the host wrote since the RAM was mapped or
     * last zeroed, which brings all of it back to zeros, as freshly mapped.
     */
    void zeroWritten() {
        for (int slot = 0; slot < mappings.size(); slot++) {
            Mapping mapping = mappings.get(slot);
            BitSet written = mapping.hostWritten();
            if (!mapping.region().readOnly()) {
                written.or(DirtyLog.take(vmFd, slot, mapping.pages()));
            }
            for (int page = written.nextSetBit(0); page >= 0; page = written.nextSetBit(page + 1)) {
                int end = written.nextClearBit(page);
                new Pointer(mapping.hostAddress() + (long) page * PAGE)
                        .setMemory(0, (long) (end - page) * PAGE, (byte) 0);
                page = end;
            }
            written.clear();
        }
    }

    /**
     * @param address a guest physical address
     * @param length a byte count
     * @return whether some region shares a byte with {@code [address, address + length)}
     */
    boolean overlaps(long address, long length) {
        return mappings.stream().anyMatch(m -> address < m.region().end() && m.region().guestAddress() < address + length);
    }

    /**
     * @param address a guest physical address
     * @param length a byte count
     * @return the bytes
     * @throws IllegalArgumentException if the range is not inside one region
     */
    byte[] read(long address, int length) {
        return host(address, length).getByteArray(0, length);
    }

    /**
     * @param address a guest physical address
     * @param data the bytes
     * @throws IllegalArgumentException if the range is not inside one region
     */
    void write(long address, byte[] data) {
        host(address, data.length).write(0, data, 0, data.length);
        for (Mapping mapping : mappings) {
            if (data.length > 0 && mapping.region().contains(address, data.length)) {
                long offset = address - mapping.region().guestAddress();
                mapping.hostWritten().set((int) (offset / PAGE), (int) ((offset + data.length - 1) / PAGE) + 1);
            }
        }
    }

    // The guest layer checks ranges already; checking again here keeps a bug there from becoming
    // a write through a wild pointer.
    private Pointer host(long address, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length + " at guest address "
                    + hex(address));
        }
        for (Mapping mapping : mappings) {
            if (mapping.region().contains(address, length)) {
                return new Pointer(mapping.hostAddress() + (address - mapping.region().guestAddress()));
            }
        }
        throw new IllegalArgumentException(length + " bytes at guest address " + hex(address)
                + " do not lie inside one RAM region; the regions are "
                + (mappings.isEmpty() ? "none"
                        : mappings.stream().map(m -> describe(m.region())).collect(Collectors.joining(", "))));
    }

    private static String describe(RamRegion region) {
        return "[" + hex(region.guestAddress()) + ", " + hex(region.end()) + ")" + (region.readOnly() ? " read-only" : "");
    }

    private static String hex(long value) {
        return String.format(Locale.ROOT, "0x%x", value);
    }
}
