package io.github.junitkvm.firmware;

import io.github.junitkvm.GuestMemory;
import java.util.OptionalInt;

/**
 * The firmware ROM at {@code F000:0000} and the interrupt vector table that points into it.
 *
 * <p>Each vector has an entry point of {@value #ENTRY_SIZE} bytes:
 * <pre>
 *   entry: out  %al, $TRAP_PORT   # the host serves the call; no register changes
 *          jz   entry             # the host sets ZF when the call must be made again
 *          iret
 * </pre>
 * The {@code OUT} leaves every register as it was (it only reads {@code AL}), and is an exit with
 * the instruction pointer at the {@code OUT} on every backend. The host serves the call there,
 * then leaves ZF clear, so that the guest returns with {@code IRET}, popping the flags image the
 * host changed; or, for a call that cannot be served yet (an empty key queue, no handler), it sets
 * ZF and stops the run, and the next run makes the call again. The live flags are the entry
 * point's own: the caller's are the image on the stack.
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
    /** Bytes per entry point. */
    static final int ENTRY_SIZE = 8;
    /** How many vectors the interrupt vector table holds. */
    static final int VECTORS = 256;
    /** The interrupt vector table's end: four bytes (offset, segment) per vector from 0. */
    public static final long VECTOR_TABLE_END = 4L * VECTORS;
    /** Where in the ROM the BIOS's floppy parameter table is, after the entry points. */
    static final int FLOPPY_PARAMETERS_OFFSET = VECTORS * ENTRY_SIZE;
    /** The IBM PC/AT model byte at {@code F000:FFFE}, which some boot code checks. */
    private static final int MODEL_BYTE_OFFSET = 0xfffe;
    private static final int MODEL_AT = 0xfc;

    private FirmwareRom() {
    }

    /**
     * Writes the entry points into the ROM and points every vector of the interrupt vector table
     * at its own.
     *
     * @param memory the guest's memory, with RAM at {@code [0, 0x400)} and the ROM mapped
     */
    public static void install(GuestMemory memory) {
        byte[] entries = new byte[VECTORS * ENTRY_SIZE];
        byte[] table = new byte[VECTORS * 4];
        for (int vector = 0; vector < VECTORS; vector++) {
            int at = vector * ENTRY_SIZE;
            entries[at] = (byte) 0xe6;              // out %al, $TRAP_PORT
            entries[at + 1] = (byte) TRAP_PORT;
            entries[at + 2] = (byte) 0x74;          // jz entry: back 4 bytes, to the OUT
            entries[at + 3] = (byte) 0xfc;
            entries[at + 4] = (byte) 0xcf;          // iret
            for (int pad = 5; pad < ENTRY_SIZE; pad++) {
                entries[at + pad] = (byte) 0x90;
            }
            table[vector * 4] = (byte) at;
            table[vector * 4 + 1] = (byte) (at >>> 8);
            table[vector * 4 + 2] = (byte) SEGMENT;
            table[vector * 4 + 3] = (byte) (SEGMENT >>> 8);
        }
        memory.write(BASE, entries);
        memory.writeByte(BASE + MODEL_BYTE_OFFSET, MODEL_AT);
        memory.write(0, table);
    }

    /**
     * @param linear the linear address of an {@code OUT} to {@link #TRAP_PORT}
     * @return the vector whose entry point that {@code OUT} is, if it is one
     */
    static OptionalInt vectorAt(long linear) {
        long offset = linear - BASE;
        if (offset < 0 || offset >= (long) VECTORS * ENTRY_SIZE || offset % ENTRY_SIZE != 0) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) (offset / ENTRY_SIZE));
    }
}
