package io.github.junitkvm.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An x86 ELF32 or ELF64 executable, read the way a boot loader reads it: each {@code PT_LOAD}
 * segment at its physical address ({@code p_paddr}, since the guest starts with paging off),
 * its bss ({@code p_memsz > p_filesz}) zero-filled, and the entry point from the header.
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
    private static final int HEADER_SIZE_32 = 52;
    private static final int HEADER_SIZE_64 = 64;
    private static final int PROGRAM_HEADER_SIZE_32 = 32;
    private static final int PROGRAM_HEADER_SIZE_64 = 56;

    private final long entry;
    private final List<Loadable> segments;

    private ElfImage(long entry, List<Loadable> segments) {
        this.entry = entry;
        this.segments = List.copyOf(segments);
    }

    /**
     * @param file the bytes of a file
     * @return whether it starts with the ELF magic, and so must be read as ELF
     */
    static boolean hasMagic(byte[] file) {
        if (file.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (file[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param file an ELF file
     * @return its loadable contents
     * @throws InvalidImageException if it is truncated, not a little-endian x86 executable, has no
     *     loadable segment, or its segments overlap
     */
    static ElfImage parse(byte[] file) {
        if (file.length < 6) {
            throw truncated(file, "the ELF identification (16 bytes)");
        }
        int elfClass = file[4];
        if (elfClass != CLASS_32 && elfClass != CLASS_64) {
            throw new InvalidImageException("ELF class " + elfClass + " is neither ELF32 (1) nor ELF64 (2)");
        }
        if (file[5] != DATA_LITTLE_ENDIAN) {
            throw new InvalidImageException("not a little-endian ELF file (EI_DATA = " + file[5] + "): x86 is little-endian");
        }
        boolean is64 = elfClass == CLASS_64;
        int headerSize = is64 ? HEADER_SIZE_64 : HEADER_SIZE_32;
        if (file.length < headerSize) {
            throw truncated(file, "the ELF" + (is64 ? "64" : "32") + " header (" + headerSize + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
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
        long tableOffset = is64 ? in.getLong(32) : Integer.toUnsignedLong(in.getInt(28));
        int entrySize = Short.toUnsignedInt(in.getShort(is64 ? 54 : 42));
        int count = Short.toUnsignedInt(in.getShort(is64 ? 56 : 44));
        int minimumEntrySize = is64 ? PROGRAM_HEADER_SIZE_64 : PROGRAM_HEADER_SIZE_32;
        if (count > 0 && entrySize < minimumEntrySize) {
            throw new InvalidImageException(String.format(
                    "program header entry size %d is below the %d bytes of an ELF%s program header",
                    entrySize, minimumEntrySize, is64 ? "64" : "32"));
        }
        long tableEnd = tableOffset + (long) count * entrySize;
        if (tableOffset < 0 || tableEnd > file.length) {
            throw truncated(file, String.format("%d program headers at offset 0x%x", count, tableOffset));
        }
        List<Loadable> segments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = (int) (tableOffset + (long) i * entrySize);
            if (in.getInt(at) == PT_LOAD) {
                segments.add(is64 ? load64(file, in, at, i) : load32(file, in, at, i));
            }
        }
        if (segments.isEmpty()) {
            throw new InvalidImageException("no loadable (PT_LOAD) segment");
        }
        checkNoOverlap(segments);
        return new ElfImage(entry, segments);
    }

    /** @return the entry point, {@code e_entry} */
    long entry() {
        return entry;
    }

    /** @return the {@code PT_LOAD} segments, in program header order */
    List<Loadable> segments() {
        return segments;
    }

    private static Loadable load32(byte[] file, ByteBuffer in, int at, int index) {
        return loadable(file, index, Integer.toUnsignedLong(in.getInt(at + 4)), Integer.toUnsignedLong(in.getInt(at + 12)),
                Integer.toUnsignedLong(in.getInt(at + 16)), Integer.toUnsignedLong(in.getInt(at + 20)));
    }

    private static Loadable load64(byte[] file, ByteBuffer in, int at, int index) {
        return loadable(file, index, in.getLong(at + 8), in.getLong(at + 24), in.getLong(at + 32), in.getLong(at + 40));
    }

    private static Loadable loadable(byte[] file, int index, long offset, long address, long fileSize, long memorySize) {
        if (Long.compareUnsigned(fileSize, memorySize) > 0) {
            throw new InvalidImageException(String.format(
                    "segment %d has more bytes in the file (0x%x) than in memory (0x%x)", index, fileSize, memorySize));
        }
        // A guest image is held in one Java array before it is written, so it must fit one.
        if (Long.compareUnsigned(memorySize, Integer.MAX_VALUE) > 0) {
            throw new InvalidImageException(String.format(
                    "segment %d at 0x%x is too large (0x%x bytes)", index, address, memorySize));
        }
        if (Long.compareUnsigned(offset, file.length) > 0 || offset + fileSize > file.length) {
            throw truncated(file, String.format("segment %d (0x%x bytes at offset 0x%x)", index, fileSize, offset));
        }
        byte[] bytes = new byte[(int) memorySize];
        System.arraycopy(file, (int) offset, bytes, 0, (int) fileSize);
        return new Loadable(index, new ImageSegment(address, bytes));
    }

    private static void checkNoOverlap(List<Loadable> segments) {
        List<Loadable> sorted = new ArrayList<>(segments);
        sorted.sort((a, b) -> Long.compareUnsigned(a.segment().address(), b.segment().address()));
        for (int i = 1; i < sorted.size(); i++) {
            Loadable before = sorted.get(i - 1);
            Loadable after = sorted.get(i);
            if (Long.compareUnsigned(after.segment().address(), before.segment().end()) < 0) {
                throw new InvalidImageException(String.format(
                        "segment %d [0x%x, 0x%x) overlaps segment %d [0x%x, 0x%x)",
                        after.index(), after.segment().address(), after.segment().end(),
                        before.index(), before.segment().address(), before.segment().end()));
            }
        }
    }

    private static InvalidImageException truncated(byte[] file, String what) {
        return new InvalidImageException("truncated ELF file: " + file.length + " bytes end before " + what);
    }

    /**
     * A loadable segment with its place in the program header table, which error messages name.
     *
     * @param index its program header's index
     * @param segment its bytes and physical address
     */
    record Loadable(int index, ImageSegment segment) {
    }
}
