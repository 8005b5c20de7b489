package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.RamRegion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A machine's guest RAM: one anonymous shared mapping per {@link RamRegion}, registered with KVM as
 * a memory slot, and the translation of guest physical addresses to them.
 */
final class GuestRam {
    /** One region and the host address of its mapping. */
    private record Mapping(RamRegion region, long hostAddress) {
    }

    private final List<Mapping> mappings;

    private GuestRam(List<Mapping> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    /**
     * Maps every region and registers it with the VM, slot {@code i} for region {@code i}.
     *
     * @param vmFd the VM
     * @param regions the regions
     * @param readOnlySupported whether the kernel has {@code KVM_CAP_READONLY_MEM}
     * @param resources receives the release of every mapping made
     * @return the RAM
     */
    static GuestRam map(int vmFd, List<RamRegion> regions, boolean readOnlySupported, NativeResources resources) {
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
                mappings.add(new Mapping(region, host));
                KvmUserspaceMemoryRegion.write(slot, i, region.readOnly() ? KvmConstants.KVM_MEM_READONLY : 0,
                        region.guestAddress(), region.size(), host);
                Posix.ioctl(vmFd, KvmIoctl.KVM_SET_USER_MEMORY_REGION, Pointer.nativeValue(slot));
            }
        }
        return new GuestRam(mappings);
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
