package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An x86 ELF32 or ELF64 executable, read the way a boot loader reads it: each {@code PT_LOAD}
 * segment at its physical address ({@code p_paddr}, since the guest starts with paging off),
 * its bss ({@code p_memsz > p_filesz}) zero-filled, and the entry point from the header.
 *
 * <p>Read in two steps, so that nothing is allocated for what a file merely claims:
 * {@link #read} takes the headers alone, which the caller checks against the guest's RAM; then
 * {@link #load} reads the segments' bytes, which the file must really have.
 */
final class ElfImage {
    private static final byte[] MAGIC = {0x7f, 'E', 'L', 'F'};
    private static final int CLASS_32 = 1;
    private static final int CLASS_64 = 2;
    private static final int DATA_LITTLE_ENDIAN = 1;
    private static final int ET_EXEC = 2;
    private static final int EM_386 = 3;
    private static final int EM_X86_64 = 62;
    private static final int PT_LOAD = 1;
    private static final int IDENTIFICATION_READ = 6;
    private static final int HEADER_SIZE_32 = 52;
    private static final int HEADER_SIZE_64 = 64;
    private static final int PROGRAM_HEADER_SIZE_32 = 32;
    private static final int PROGRAM_HEADER_SIZE_64 = 56;

    private final boolean is64;
    private final int machine;
    private final long entry;
    private final List<Loadable> segments;
    private final ElfSections sections;

    private ElfImage(boolean is64, int machine, long entry, List<Loadable> segments, ElfSections sections) {
        this.is64 = is64;
        this.machine = machine;
        this.entry = entry;
        this.segments = List.copyOf(segments);
        this.sections = sections;
    }

    /**
     * @param file a file
     * @return whether it starts with the ELF magic, and so must be read as ELF
     * @throws IOException if it cannot be read
     */
    static boolean hasMagic(ImageFile file) throws IOException {
        try (InputStream in = file.open()) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    /**
     * Reads the ELF header and the program headers, no further.
     *
     * @param file an ELF file
     * @return its entry point and loadable segments, their bytes not yet read
     * @throws InvalidImageException if it is truncated, not a little-endian x86 executable, has no
     *     loadable segment, or its segments overlap or run past the end of the address space
     * @throws IOException if it cannot be read
     */
    static ElfImage read(ImageFile file) throws IOException {
        try (FileRanges ranges = new FileRanges(file)) {
            byte[] header = ranges.read(0, HEADER_SIZE_64);
            if (header.length < IDENTIFICATION_READ) {
                throw truncated(ranges, "the ELF identification (16 bytes)");
            }
            int elfClass = header[4];
            if (elfClass != CLASS_32 && elfClass != CLASS_64) {
                throw new InvalidImageException("ELF class " + elfClass + " is neither ELF32 (1) nor ELF64 (2)");
            }
            if (header[5] != DATA_LITTLE_ENDIAN) {
                throw new InvalidImageException(
                        "not a little-endian ELF file (EI_DATA = " + header[5] + "): x86 is little-endian");
            }
            boolean is64 = elfClass == CLASS_64;
            int headerSize = is64 ? HEADER_SIZE_64 : HEADER_SIZE_32;
            if (header.length < headerSize) {
                throw truncated(ranges, "the ELF" + (is64 ? "64" : "32") + " header (" + headerSize + " bytes)");
            }
            ByteBuffer in = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            int type = Short.toUnsignedInt(in.getShort(16));
            if (type != ET_EXEC) {
                throw new InvalidImageException("ELF type " + type + " is not an executable (ET_EXEC = 2)"
                        + (type == 1 ? ": a relocatable object file, link it first" : ""));
            }
            int machine = Short.toUnsignedInt(in.getShort(18));
            if (machine != EM_386 && machine != EM_X86_64) {
                throw new InvalidImageException("ELF machine " + machine + " is not x86 (EM_386 = 3 or EM_X86_64 = 62)");
            }
            long entry = is64 ? in.getLong(24) : Integer.toUnsignedLong(in.getInt(24));
            List<Loadable> segments = readProgramHeaders(ranges, in, is64);
            if (segments.isEmpty()) {
                throw new InvalidImageException("no loadable (PT_LOAD) segment");
            }
            checkNoOverlap(segments);
            ElfSections sections = is64
                    ? new ElfSections(true, in.getLong(40), Short.toUnsignedInt(in.getShort(58)),
                            Short.toUnsignedInt(in.getShort(60)))
                    : new ElfSections(false, Integer.toUnsignedLong(in.getInt(32)),
                            Short.toUnsignedInt(in.getShort(46)), Short.toUnsignedInt(in.getShort(48)));
            return new ElfImage(is64, machine, entry, segments, sections);
        }
    }

    /** @return the entry point, {@code e_entry} */
    long entry() {
        return entry;
    }

    /** @return the {@code PT_LOAD} segments, in program header order */
    List<Loadable> segments() {
        return segments;
    }

    /**
     * Reads the symbol table, taking each symbol's address to where its segment is loaded. Only
     * the section headers and the tables themselves are read, not the segments.
     *
     * @param file the file {@link #read} read
     * @return the defined symbols
     * @throws InvalidImageException if the section headers or the tables are malformed
     * @throws IOException if the file cannot be read
     */
    SymbolTable symbols(ImageFile file) throws IOException {
        return ElfSymbolReader.read(file, sections, segments);
    }

    /**
     * Whether the vCPU can start this executable's code in a mode follows from its machine, not
     * its class: {@code EM_386} is IA-32 code, 16-bit (GNU tools make real-mode code as ELF32
     * i386 too) or 32-bit; {@code EM_X86_64} is 64-bit code, which runs in long mode only.
     *
     * @param mode the mode the guest starts in
     * @throws InvalidImageException if the executable's code cannot run in that mode
     */
    void checkRunsIn(CpuMode mode) {
        String kind = (is64 ? "ELF64" : "ELF32") + (machine == EM_X86_64 ? " x86-64" : " i386");
        if (machine == EM_X86_64 && mode != CpuMode.LONG) {
            throw new InvalidImageException(String.format("an %s executable (EM_X86_64) holds 64-bit code, which runs "
                    + "in LONG mode only, not %s: use mode = LONG, or link the code for i386 (ld -m elf_i386; "
                    + "an image whose entry is 32-bit code converts with objcopy -O elf32-i386)", kind, mode));
        }
        if (machine == EM_386 && mode == CpuMode.LONG) {
            throw new InvalidImageException(String.format("an %s executable (EM_386) holds 16- or 32-bit code, which "
                    + "runs in REAL, PROTECTED or PAGED mode, not LONG: use one of those, or link the code for "
                    + "x86-64 (ld -m elf_x86_64)", kind));
        }
    }

    /**
     * Reads the segments' bytes, each range of the file once and in file order. Call it after
     * checking that the segments fit in the guest's RAM: it holds the bytes of all of them.
     *
     * @param file the file {@link #read} read
     * @return the segments, in program header order
     * @throws InvalidImageException if the file ends before a segment's bytes
     * @throws IOException if it cannot be read
     */
    List<ImageSegment> load(ImageFile file) throws IOException {
        // A segment with no bytes in the file has none to read, whatever its offset says.
        List<Loadable> byOffset = segments.stream().filter(segment -> segment.fileSize() > 0)
                .sorted(Comparator.comparing(Loadable::offset, Long::compareUnsigned)).toList();
        Map<Loadable, byte[]> contents = new HashMap<>();
        try (FileRanges ranges = new FileRanges(file)) {
            // Segments may share bytes of the file: each run of overlapping ones is read once.
            int first = 0;
            while (first < byOffset.size()) {
                Loadable head = byOffset.get(first);
                long end = head.fileEnd();
                int last = first;
                while (last + 1 < byOffset.size() && Long.compareUnsigned(byOffset.get(last + 1).offset(), end) < 0) {
                    last++;
                    end = maxUnsigned(end, byOffset.get(last).fileEnd());
                }
                byte[] run = readRun(ranges, head, end);
                for (Loadable segment : byOffset.subList(first, last + 1)) {
                    long from = segment.offset() - head.offset();
                    if (from + segment.fileSize() > run.length) {
                        throw truncated(ranges, segment);
                    }
                    contents.put(segment, first == last
                            ? run : Arrays.copyOfRange(run, (int) from, (int) (from + segment.fileSize())));
                }
                first = last + 1;
            }
        }
        return segments.stream().map(segment -> new ImageSegment(segment.address(),
                contents.getOrDefault(segment, new byte[0]), segment.memorySize())).toList();
    }

    /** Reads the file's bytes from the head segment's offset to {@code end}, or fewer if the file ends first. */
    private static byte[] readRun(FileRanges ranges, Loadable head, long end) throws IOException {
        long length = end - head.offset();
        if (Long.compareUnsigned(length, ImageFile.MAX_READ) > 0) {
            // Past the end of the file, or more bytes than one array holds: the file says which.
            ranges.read(head.offset(), 0);
            if (ranges.length() >= 0) {
                throw truncated(ranges, head);
            }
            throw new InvalidImageException(String.format("segment %d and those sharing its bytes in the file "
                    + "have more of them (0x%x from offset 0x%x) than one Java array holds", head.index(), length,
                    head.offset()));
        }
        return ranges.read(head.offset(), (int) length);
    }

    private static long maxUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static List<Loadable> readProgramHeaders(FileRanges ranges, ByteBuffer header, boolean is64)
            throws IOException {
        long tableOffset = is64 ? header.getLong(32) : Integer.toUnsignedLong(header.getInt(28));
        int entrySize = Short.toUnsignedInt(header.getShort(is64 ? 54 : 42));
        int count = Short.toUnsignedInt(header.getShort(is64 ? 56 : 44));
        int minimumEntrySize = is64 ? PROGRAM_HEADER_SIZE_64 : PROGRAM_HEADER_SIZE_32;
        if (count > 0 && entrySize < minimumEntrySize) {
            throw new InvalidImageException(String.format(
                    "program header entry size %d is below the %d bytes of an ELF%s program header",
                    entrySize, minimumEntrySize, is64 ? "64" : "32"));
        }
        List<Loadable> segments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // Unsigned; it cannot wrap, since an offset of 2^63 or more already ends the first read.
            byte[] entry = ranges.read(tableOffset + (long) i * entrySize, minimumEntrySize);
            if (entry.length < minimumEntrySize) {
                throw truncated(ranges, String.format("%d program headers at offset 0x%x", count, tableOffset));
            }
            ByteBuffer in = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
            if (in.getInt(0) == PT_LOAD) {
                segments.add(is64
                        ? loadable(i, in.getLong(8), in.getLong(16), in.getLong(24), in.getLong(32), in.getLong(40))
                        : loadable(i, Integer.toUnsignedLong(in.getInt(4)), Integer.toUnsignedLong(in.getInt(8)),
                                Integer.toUnsignedLong(in.getInt(12)), Integer.toUnsignedLong(in.getInt(16)),
                                Integer.toUnsignedLong(in.getInt(20))));
            }
        }
        return segments;
    }

    private static Loadable loadable(int index, long offset, long virtualAddress, long address, long fileSize,
                                     long memorySize) {
        if (Long.compareUnsigned(fileSize, memorySize) > 0) {
            throw new InvalidImageException(String.format(
                    "segment %d has more bytes in the file (0x%x) than in memory (0x%x)", index, fileSize, memorySize));
        }
        if (Long.compareUnsigned(address + memorySize, address) < 0) {
            throw new InvalidImageException(String.format(
                    "segment %d at 0x%x with 0x%x bytes in memory runs past the end of the address space",
                    index, address, memorySize));
        }
        if (Long.compareUnsigned(fileSize, ImageFile.MAX_READ) > 0) {
            throw new InvalidImageException(String.format(
                    "segment %d at 0x%x is too large (0x%x bytes in the file)", index, address, fileSize));
        }
        return new Loadable(index, offset, fileSize, virtualAddress, address, memorySize);
    }

    private static void checkNoOverlap(List<Loadable> segments) {
        List<Loadable> sorted = new ArrayList<>(segments);
        sorted.sort(Comparator.comparing(Loadable::address, Long::compareUnsigned));
        for (int i = 1; i < sorted.size(); i++) {
            Loadable before = sorted.get(i - 1);
            Loadable after = sorted.get(i);
            if (Long.compareUnsigned(after.address(), before.end()) < 0) {
                throw new InvalidImageException(String.format(
                        "segment %d [0x%x, 0x%x) overlaps segment %d [0x%x, 0x%x)",
                        after.index(), after.address(), after.end(),
                        before.index(), before.address(), before.end()));
            }
        }
    }

    private static InvalidImageException truncated(FileRanges file, String what) {
        return new InvalidImageException("truncated ELF file: " + file.length() + " bytes end before " + what);
    }

    private static InvalidImageException truncated(FileRanges file, Loadable segment) {
        return truncated(file, String.format("segment %d (0x%x bytes at offset 0x%x)",
                segment.index(), segment.fileSize(), segment.offset()));
    }

    /**
     * A loadable segment as its program header describes it, its bytes not yet read.
     *
     * @param index its program header's index, which error messages name
     * @param offset where its bytes start in the file ({@code p_offset}), unsigned
     * @param fileSize how many bytes it has in the file ({@code p_filesz}), not more than fit in
     *     one Java array
     * @param virtualAddress its virtual address ({@code p_vaddr}), which symbols' values are
     * @param address its guest physical address ({@code p_paddr})
     * @param memorySize how many bytes it occupies in RAM ({@code p_memsz}), at least {@code fileSize};
     *     {@code address + memorySize} does not pass 2^64
     */
    record Loadable(int index, long offset, long fileSize, long virtualAddress, long address, long memorySize) {
        /** @return the first address past the segment in RAM, unsigned */
        long end() {
            return address + memorySize;
        }

        /** @return the offset past its bytes in the file, unsigned; 2^64 - 1 if it would be beyond */
        long fileEnd() {
            long end = offset + fileSize;
            return Long.compareUnsigned(end, offset) < 0 ? -1L : end;
        }
    }
}
