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
        headers.add(new ProgramHeader(segmentType, address, data, memorySize));
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
        if (is64) {
            out.putLong(24, entry).putLong(32, headerSize).putShort(52, (short) headerSize)
                    .putShort(54, (short) entrySize).putShort(56, (short) headers.size());
        } else {
            out.putInt(24, (int) entry).putInt(28, headerSize).putShort(40, (short) headerSize)
                    .putShort(42, (short) entrySize).putShort(44, (short) headers.size());
        }
        int offset = dataStart;
        for (int i = 0; i < headers.size(); i++) {
            ProgramHeader h = headers.get(i);
            int at = headerSize + i * entrySize;
            if (is64) {
                out.putInt(at, h.type()).putInt(at + 4, 7).putLong(at + 8, offset)
                        .putLong(at + 16, h.address() + VIRTUAL_OFFSET).putLong(at + 24, h.address())
                        .putLong(at + 32, h.data().length).putLong(at + 40, h.memorySize()).putLong(at + 48, 1);
            } else {
                out.putInt(at, h.type()).putInt(at + 4, offset)
                        .putInt(at + 8, (int) (h.address() + VIRTUAL_OFFSET)).putInt(at + 12, (int) h.address())
                        .putInt(at + 16, h.data().length).putInt(at + 20, (int) h.memorySize())
                        .putInt(at + 24, 7).putInt(at + 28, 1);
            }
            out.put(offset, h.data());
            offset += h.data().length;
        }
        return out.array();
    }

    private record ProgramHeader(int type, long address, byte[] data, long memorySize) {
    }
}
