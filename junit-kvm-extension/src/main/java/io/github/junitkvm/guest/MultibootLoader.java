package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestText;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.Multiboot;
import io.github.junitkvm.backend.RamRegion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Loads a Multiboot kernel as a Multiboot loader does: the kernel by its ELF program headers or by
 * its header's address fields, then each module on the next free page after it, then the
 * information structure. Each size is checked against the RAM before the bytes are read, and no
 * file is read further than the RAM it could go into.
 */
final class MultibootLoader {
    private static final long PAGE = 4096;
    /** Page 0 stays free: a kernel takes a zero address for "none". */
    private static final long LOWEST = PAGE;
    /** Modules and the information structure are found through 32-bit addresses. */
    private static final long LIMIT = 1L << 32;
    private static final int INFO_ALIGNMENT = 8;

    private final ClassLoader resources;
    private final RamLayout ram;

    MultibootLoader(ClassLoader resources, RamLayout ram) {
        this.resources = resources;
        this.ram = ram;
    }

    /**
     * @param multiboot the test's command line and modules
     * @param kernel the kernel image
     * @return the kernel, the modules and the information structure, and where the kernel starts
     * @throws KvmGuestConfigurationException if the image has no usable header, or something does not fit
     */
    Loaded load(Multiboot multiboot, Resource kernel) {
        checkAscii("multiboot.commandLine", multiboot.commandLine());
        MultibootHeader header = header(kernel);
        LoadedCode code = header.addresses().isPresent()
                ? loadFlat(kernel, header.offset(), header.addresses().get())
                : loadElf(kernel);
        List<ImageSegment> image = new ArrayList<>(code.image());
        FreeRam free = new FreeRam(image);
        List<MultibootInfo.LoadedModule> modules = new ArrayList<>();
        Multiboot.Module[] declared = multiboot.modules();
        for (int i = 0; i < declared.length; i++) {
            String attribute = "multiboot.modules[" + i + "]";
            checkAscii(attribute + ".string", declared[i].string());
            Resource resource = Resource.find(resources, attribute + ".resource", declared[i].resource());
            int limit = (int) Math.min(free.largest(), ImageFile.MAX_READ);
            byte[] bytes = resource.readAtMost(limit).orElseThrow(() -> problem(resource.attribute(),
                    "the module is larger than the largest free block of RAM below 4 GiB (%d bytes); RAM is %s",
                    limit, ram.describe()));
            long at = free.place(bytes.length, PAGE).orElseThrow(() -> problem(resource.attribute(),
                    "the module's %d bytes do not fit in the RAM below 4 GiB left free by the kernel and the modules"
                            + " before it; RAM is %s", bytes.length, ram.describe()));
            image.add(new ImageSegment(at, bytes));
            modules.add(new MultibootInfo.LoadedModule(at, at + bytes.length, declared[i].string()));
        }
        int infoSize = MultibootInfo.build(0, ram, multiboot.commandLine(), modules).length;
        long infoAt = free.place(infoSize, INFO_ALIGNMENT).orElseThrow(() -> problem("multiboot",
                "no room for the Multiboot information structure (%d bytes) in RAM below 4 GiB beside the kernel"
                        + " and its modules; RAM is %s", infoSize, ram.describe()));
        image.add(new ImageSegment(infoAt, MultibootInfo.build(infoAt, ram, multiboot.commandLine(), modules)));
        return new Loaded(new LoadedCode(image, code.entry(), code.entryAttribute(), code.symbols()), infoAt);
    }

    private static MultibootHeader header(Resource kernel) {
        try {
            return MultibootHeader.find(kernel.readHead(MultibootHeader.SEARCH_LIMIT));
        } catch (InvalidImageException e) {
            throw problem(kernel.attribute() + ", multiboot", "%s", e.getMessage());
        }
    }

    private LoadedCode loadElf(Resource kernel) {
        try {
            if (!ElfImage.hasMagic(kernel)) {
                throw problem(kernel.attribute() + ", multiboot", "the image is not ELF, and its Multiboot header"
                        + " has no address fields (flag bit 16) to say where a flat image goes");
            }
            ElfImage.read(kernel).checkRunsIn(CpuMode.PROTECTED);
        } catch (InvalidImageException e) {
            throw problem(kernel.attribute() + ", multiboot", "%s; a Multiboot loader starts the kernel in 32-bit"
                    + " protected mode", e.getMessage());
        } catch (IOException e) {
            throw kernel.unreadable(e);
        }
        return GuestSpecReader.readElf(kernel, CpuMode.PROTECTED, ram);
    }

    /** The "a.out kludge": the file from {@code fileOffset} on goes to {@code load_addr}, then the bss. */
    private LoadedCode loadFlat(Resource kernel, int headerOffset, MultibootHeader.Addresses addresses) {
        String attribute = kernel.attribute() + ", multiboot";
        long fileOffset;
        try {
            fileOffset = addresses.fileOffset(headerOffset);
        } catch (InvalidImageException e) {
            throw problem(attribute, "%s", e.getMessage());
        }
        long loadAddress = addresses.loadAddress();
        RamRegion region = ram.regionHolding(loadAddress, 1).filter(r -> !r.readOnly()).orElseThrow(() -> problem(
                attribute, "the header's load_addr 0x%x is outside writable guest RAM %s", loadAddress, ram.describe()));
        long room = region.end() - loadAddress;
        long claimed = Math.max(addresses.loadEndAddress(), addresses.bssEndAddress()) - loadAddress;
        if (claimed > room) {
            throw problem(attribute, "the image from load_addr 0x%x to 0x%x (load_end_addr 0x%x, bss_end_addr 0x%x)"
                    + " does not fit in RAM region [0x%x, 0x%x)", loadAddress, loadAddress + claimed,
                    addresses.loadEndAddress(), addresses.bssEndAddress(), region.guestAddress(), region.end());
        }
        long wanted = addresses.loadEndAddress() == 0 ? room : addresses.loadEndAddress() - loadAddress;
        int limit = (int) Math.min(fileOffset + wanted, ImageFile.MAX_READ);
        byte[] file = kernel.readAtMost(limit).orElseThrow(() -> problem(attribute, "the image from file offset %d"
                + " is larger than the 0x%x bytes from load_addr 0x%x to the end of RAM region [0x%x, 0x%x)",
                fileOffset, room, loadAddress, region.guestAddress(), region.end()));
        long loaded = addresses.loadEndAddress() == 0 ? file.length - fileOffset : wanted;
        if (fileOffset + loaded > file.length) {
            throw problem(attribute, "the file ends at %d bytes, before load_end_addr 0x%x (file offset %d)",
                    file.length, addresses.loadEndAddress(), fileOffset + loaded);
        }
        long size = addresses.bssEndAddress() == 0 ? loaded : addresses.bssEndAddress() - loadAddress;
        byte[] bytes = Arrays.copyOfRange(file, (int) fileOffset, (int) (fileOffset + loaded));
        return new LoadedCode(List.of(new ImageSegment(loadAddress, bytes, size)), addresses.entryAddress(),
                String.format("%s (Multiboot entry_addr 0x%x)", attribute, addresses.entryAddress()),
                ImageSymbols.none("@KvmGuest(" + attribute + "), a flat Multiboot image"));
    }

    private static void checkAscii(String attribute, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || c > 0x7f) {
                throw problem(attribute + " = \"" + GuestText.literal(text) + "\"",
                        "character %d (U+%04X) is not a printable part of an ASCII string: Multiboot strings are"
                                + " NUL-terminated ASCII", i, (int) c);
            }
        }
    }

    private static KvmGuestConfigurationException problem(String attribute, String explanation, Object... arguments) {
        return new KvmGuestConfigurationException("@KvmGuest(" + attribute + "): " + String.format(explanation, arguments));
    }

    /**
     * The kernel and its boot data.
     *
     * @param code the kernel's segments, the modules and the information structure, and the entry point
     * @param information the guest physical address of the information structure, for EBX
     */
    record Loaded(LoadedCode code, long information) {
    }

    /** Writable RAM below 4 GiB that nothing loaded occupies yet, first fit from the kernel's end up. */
    private final class FreeRam {
        /** Taken ranges as {@code [address, end)} pairs. */
        private final List<long[]> occupied = new ArrayList<>();
        private final long start;

        FreeRam(List<ImageSegment> kernel) {
            kernel.forEach(segment -> occupied.add(new long[] {segment.address(), segment.end()}));
            this.start = kernel.stream().mapToLong(ImageSegment::end).max().orElse(LOWEST);
        }

        /** @return the size of the largest writable region below 4 GiB, more than any free block */
        long largest() {
            return ram.regions().stream().filter(r -> !r.readOnly() && r.guestAddress() < LIMIT)
                    .mapToLong(r -> Math.min(r.end(), LIMIT) - r.guestAddress()).max().orElse(0);
        }

        /** Takes {@code length} bytes at the lowest aligned free address from the kernel's end on, or below it if none. */
        Optional<Long> place(long length, long alignment) {
            Optional<Long> at = firstFit(start, length, alignment);
            if (at.isEmpty()) {
                at = firstFit(LOWEST, length, alignment);
            }
            at.ifPresent(address -> occupied.add(new long[] {address, address + length}));
            return at;
        }

        private Optional<Long> firstFit(long from, long length, long alignment) {
            List<Long> candidates = new ArrayList<>();
            candidates.add(from);
            ram.regions().forEach(r -> candidates.add(r.guestAddress()));
            occupied.forEach(range -> candidates.add(range[1]));
            return candidates.stream()
                    .map(candidate -> (Math.max(candidate, from) + alignment - 1) & -alignment)
                    .filter(candidate -> candidate + length <= LIMIT && isFree(candidate, length))
                    .min(Long::compare);
        }

        private boolean isFree(long address, long length) {
            return ram.regionHolding(address, Math.max(length, 1)).filter(r -> !r.readOnly()).isPresent()
                    && occupied.stream().noneMatch(range -> range[0] < address + length && address < range[1]);
        }
    }
}
