package io.github.junitkvm.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small x86 ELF executables in memory, with any header field set wrong on purpose: the
 * header, then the program headers, then each segment's file bytes. Virtual addresses are the
 * physical ones plus {@link #VIRTUAL_OFFSET}, so that a test can tell which one a loader used.
 */
final class ElfBuilder {
    static final long VIRTUAL_OFFSET = 0x8000_0000L;
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;

    private final boolean is64;
    private int type = 2;
    private int machine;
    private long entry;
    private final List<ProgramHeader> headers = new ArrayList<>();
    private Long tableOffset;
    private Integer tableEntrySize;
    private Integer tableCount;

    private ElfBuilder(boolean is64) {
        this.is64 = is64;
        this.machine = is64 ? 62 : 3;
    }

    static ElfBuilder elf32() {
        return new ElfBuilder(false);
    }

    static ElfBuilder elf64() {
        return new ElfBuilder(true);
    }

    ElfBuilder type(int value) {
        type = value;
        return this;
    }

    ElfBuilder machine(int value) {
        machine = value;
        return this;
    }

    ElfBuilder entry(long value) {
        entry = value;
        return this;
    }

    /** Adds a PT_LOAD segment of {@code data} at physical {@code address}, {@code memorySize} long in RAM. */
    ElfBuilder load(long address, byte[] data, long memorySize) {
        return segment(PT_LOAD, address, data, memorySize);
    }

    ElfBuilder segment(int segmentType, long address, byte[] data, long memorySize) {
        headers.add(new ProgramHeader(segmentType, address, data, memorySize, null, null));
        return this;
    }

    /**
     * Adds a PT_LOAD program header with any numbers, and no bytes in the file.
     *
     * @param offset {@code p_offset}
     * @param address {@code p_paddr}
     * @param fileSize {@code p_filesz}
     * @param memorySize {@code p_memsz}
     */
    ElfBuilder loadClaiming(long offset, long address, long fileSize, long memorySize) {
        headers.add(new ProgramHeader(PT_LOAD, address, new byte[0], memorySize, offset, fileSize));
        return this;
    }

    /** Sets {@code e_phoff}, which otherwise is right after the header. */
    ElfBuilder programHeaderOffset(long value) {
        tableOffset = value;
        return this;
    }

    /** Sets {@code e_phentsize}, which otherwise is the size of the class's program header. */
    ElfBuilder programHeaderEntrySize(int value) {
        tableEntrySize = value;
        return this;
    }

    /** Sets {@code e_phnum}, which otherwise is the number of program headers added. */
    ElfBuilder programHeaderCount(int value) {
        tableCount = value;
        return this;
    }

    byte[] build() {
        int headerSize = is64 ? 64 : 52;
        int entrySize = is64 ? 56 : 32;
        int dataStart = headerSize + headers.size() * entrySize;
        int total = dataStart + headers.stream().mapToInt(h -> h.data().length).sum();
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), 1, 1});
        out.putShort(16, (short) type).putShort(18, (short) machine).putInt(20, 1);
        long phoff = tableOffset == null ? headerSize : tableOffset;
        short phentsize = (short) (tableEntrySize == null ? entrySize : tableEntrySize);
        short phnum = (short) (tableCount == null ? headers.size() : tableCount);
        if (is64) {
            out.putLong(24, entry).putLong(32, phoff).putShort(52, (short) headerSize)
                    .putShort(54, phentsize).putShort(56, phnum);
        } else {
            out.putInt(24, (int) entry).putInt(28, (int) phoff).putShort(40, (short) headerSize)
                    .putShort(42, phentsize).putShort(44, phnum);
        }
        int offset = dataStart;
        for (int i = 0; i < headers.size(); i++) {
            ProgramHeader h = headers.get(i);
            int at = headerSize + i * entrySize;
            long fileOffset = h.offset() == null ? offset : h.offset();
            long fileSize = h.fileSize() == null ? h.data().length : h.fileSize();
            if (is64) {
                out.putInt(at, h.type()).putInt(at + 4, 7).putLong(at + 8, fileOffset)
                        .putLong(at + 16, h.address() + VIRTUAL_OFFSET).putLong(at + 24, h.address())
                        .putLong(at + 32, fileSize).putLong(at + 40, h.memorySize()).putLong(at + 48, 1);
            } else {
                out.putInt(at, h.type()).putInt(at + 4, (int) fileOffset)
                        .putInt(at + 8, (int) (h.address() + VIRTUAL_OFFSET)).putInt(at + 12, (int) h.address())
                        .putInt(at + 16, (int) fileSize).putInt(at + 20, (int) h.memorySize())
                        .putInt(at + 24, 7).putInt(at + 28, 1);
            }
            out.put(offset, h.data());
            offset += h.data().length;
        }
        return out.array();
    }

    /** A program header; {@code offset} and {@code fileSize} are those of {@code data} unless given. */
    private record ProgramHeader(int type, long address, byte[] data, long memorySize, Long offset, Long fileSize) {
    }
}
