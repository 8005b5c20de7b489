package io.github.junitkvm.firmware;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The firmware ROM at {@code F000:0000}: the entry points of every vector ({@link EntryPoints}),
 * and the tables that point at them: the interrupt vector table at 0 for a {@code REAL}-mode
 * guest, and in the ROM an IDT of 32-bit interrupt gates at {@code 0xf1000} and one of 64-bit gates
 * at {@code 0xf2000}, which a guest in another mode starts with.
 *
 * <p>The {@code OUT} of an entry point leaves every register as it was (it only reads {@code AL}),
 * and is an exit with the instruction pointer at the {@code OUT} on every backend. The host serves
 * the call there, then leaves ZF clear, so that the guest returns with {@code IRET}, popping the
 * flags image the host changed; or, for a call that cannot be served yet (an empty key queue, no
 * handler), it sets ZF and stops the run, and the next run makes the call again. The live flags are
 * the entry point's own: the caller's are the image on the stack.
 *
 * <p>ROM layout: the real-mode entry points at 0 (8 bytes each), the BIOS's floppy parameters at
 * {@code 0x800}, the 32-bit IDT at {@code 0x1000}, the 64-bit IDT at {@code 0x2000}, the 32-bit
 * entry points at {@code 0x3000} and the 64-bit ones at {@code 0x4000} (16 bytes each), the model
 * byte at {@code 0xfffe}.
 */
public final class FirmwareRom {
    /** The ROM's guest physical address: the {@code F000} segment. */
    public static final long BASE = 0xf0000;
    /** The ROM's size, one 64 KiB segment. */
    public static final long SIZE = 0x10000;
    /** The ROM's real-mode segment. */
    static final int SEGMENT = 0xf000;
    /** The port the entry points write to: no PC device uses it. */
    public static final int TRAP_PORT = 0xe2;
    /** How many vectors the interrupt vector table holds. */
    static final int VECTORS = 256;
    /** The interrupt vector table's end: four bytes (offset, segment) per vector from 0. */
    public static final long VECTOR_TABLE_END = 4L * VECTORS;
    /** Where in the ROM the BIOS's floppy parameter table is, after the entry points. */
    static final int FLOPPY_PARAMETERS_OFFSET = 0x800;
    /** Where in the ROM the IDT of 32-bit gates is. */
    private static final int IDT32_OFFSET = 0x1000;
    /** Where in the ROM the IDT of 64-bit gates is. */
    private static final int IDT64_OFFSET = 0x2000;
    private static final int GATE32_SIZE = 8;
    private static final int GATE64_SIZE = 16;
    /** Present, DPL 0, interrupt gate: IF is cleared on entry, as a real-mode {@code int} clears it. */
    private static final int INTERRUPT_GATE = 0x8e;
    /** The IBM PC/AT model byte at {@code F000:FFFE}, which some boot code checks. */
    private static final int MODEL_BYTE_OFFSET = 0xfffe;
    private static final int MODEL_AT = 0xfc;

    private FirmwareRom() {
    }

    /**
     * Writes the entry points and the IDTs into the ROM and, for a {@code REAL}-mode guest, points
     * every vector of the interrupt vector table at its own entry point.
     *
     * @param memory the guest's memory, with the ROM mapped, and RAM at {@code [0, 0x400)} in
     *     {@code REAL} mode
     * @param mode the mode the guest starts in
     * @param code32Selector the selector of the flat 32-bit code segment the 32-bit gates load
     * @param code64Selector the selector of the 64-bit code segment the 64-bit gates load
     */
    public static void install(GuestMemory memory, CpuMode mode, int code32Selector, int code64Selector) {
        for (EntryPoints entries : EntryPoints.values()) {
            memory.write(BASE + entries.offset(), entries.code());
        }
        ByteBuffer idt32 = ByteBuffer.allocate(VECTORS * GATE32_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer idt64 = ByteBuffer.allocate(VECTORS * GATE64_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer table = ByteBuffer.allocate(VECTORS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int vector = 0; vector < VECTORS; vector++) {
            long entry32 = BASE + EntryPoints.PROTECTED.entryOffset(vector);
            idt32.putShort((short) entry32).putShort((short) code32Selector)
                    .put((byte) 0).put((byte) INTERRUPT_GATE).putShort((short) (entry32 >>> 16));
            long entry64 = BASE + EntryPoints.LONG.entryOffset(vector);
            idt64.putShort((short) entry64).putShort((short) code64Selector)
                    .put((byte) 0).put((byte) INTERRUPT_GATE).putShort((short) (entry64 >>> 16))
                    .putInt((int) (entry64 >>> 32)).putInt(0);
            table.putShort((short) EntryPoints.REAL.entryOffset(vector)).putShort((short) SEGMENT);
        }
        memory.write(BASE + IDT32_OFFSET, idt32.array());
        memory.write(BASE + IDT64_OFFSET, idt64.array());
        memory.writeByte(BASE + MODEL_BYTE_OFFSET, MODEL_AT);
        if (mode == CpuMode.REAL) {
            memory.write(0, table.array());
        }
    }

    /**
     * @param mode a mode other than {@code REAL}
     * @return the IDT in the ROM whose gates lead to the entry points of that mode's code width
     */
    public static DescriptorTable interruptDescriptorTable(CpuMode mode) {
        return mode == CpuMode.LONG
                ? new DescriptorTable(BASE + IDT64_OFFSET, VECTORS * GATE64_SIZE - 1)
                : new DescriptorTable(BASE + IDT32_OFFSET, VECTORS * GATE32_SIZE - 1);
    }

    /**
     * An entry point, found by the physical address of its {@code OUT}.
     *
     * @param vector the vector it serves
     * @param table the table it is in, which tells the layout of the frame on the stack
     */
    record Entry(int vector, EntryPoints table) {
    }

    /**
     * @param physical the guest physical address of an {@code OUT} to {@link #TRAP_PORT}
     * @return the entry point that {@code OUT} starts, if it is one
     */
    static Optional<Entry> entryAt(long physical) {
        long offset = physical - BASE;
        for (EntryPoints table : EntryPoints.values()) {
            int vector = table.vectorAt(offset);
            if (vector >= 0) {
                return Optional.of(new Entry(vector, table));
            }
        }
        return Optional.empty();
    }
}
