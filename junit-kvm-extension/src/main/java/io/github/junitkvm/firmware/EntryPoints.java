package io.github.junitkvm.firmware;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The firmware ROM's tables of entry points, one per code width, each with an entry point per
 * vector: the interrupt vector table's ({@code IRET} of 16-bit code) and the IDT's of 32-bit
 * ({@code IRETD}) and 64-bit ({@code IRETQ}) code. Every entry point is
 * <pre>
 *   entry: out  %al, $TRAP_PORT   # the host serves the call; no register changes
 *          jz   entry             # the host sets ZF when the call must be made again
 *          add  $slot, %esp/%rsp  # only for the exceptions that push an error code
 *          iret/iretd/iretq
 * </pre>
 * The table an entry point is in tells the host the layout of the frame the CPU pushed: slots of
 * 2, 4 or 8 bytes, the caller's instruction pointer, code segment and flags from the stack pointer
 * up, after the error code if the vector is an exception that pushes one.
 */
enum EntryPoints {
    /** The interrupt vector table's: real mode pushes FLAGS, CS, IP and never an error code. */
    REAL(0x0000, 8, 2),
    /** The 32-bit IDT's: EFLAGS, CS, EIP and, for some exceptions, an error code. */
    PROTECTED(0x3000, 16, 4),
    /** The 64-bit IDT's: SS, RSP, RFLAGS, CS, RIP and, for some exceptions, an error code. */
    LONG(0x4000, 16, 8);

    /**
     * The vectors whose exception pushes an error code in protected and long mode: #DF, #TS, #NP,
     * #SS, #GP, #PF, #AC, #CP, #VC, #SX.
     */
    private static final int ERROR_CODE_VECTORS = 1 << 8 | 0x1f << 10 | 1 << 17 | 1 << 21 | 1 << 29 | 1 << 30;
    private static final int OUT_IMM8_AL = 0xe6;
    private static final int JZ_REL8 = 0x74;
    /** Back from after the {@code JZ} to the {@code OUT}, two 2-byte instructions. */
    private static final int BACK_TO_OUT = -4;
    private static final int REX_W = 0x48;
    private static final int ADD_IMM8 = 0x83;
    private static final int MODRM_ADD_ESP = 0xc4;
    private static final int IRET = 0xcf;
    private static final int NOP = 0x90;

    private final int offset;
    private final int entrySize;
    private final int slot;

    EntryPoints(int offset, int entrySize, int slot) {
        this.offset = offset;
        this.entrySize = entrySize;
        this.slot = slot;
    }

    /** @return where the table starts in the ROM */
    int offset() {
        return offset;
    }

    /** @return the table's size in bytes */
    int size() {
        return FirmwareRom.VECTORS * entrySize;
    }

    /**
     * @param vector 0 to 255
     * @return the offset in the ROM of that vector's entry point
     */
    int entryOffset(int vector) {
        return offset + vector * entrySize;
    }

    /**
     * @param romOffset an offset in the ROM
     * @return the vector whose entry point starts there, or -1 if none of this table's does
     */
    int vectorAt(long romOffset) {
        long relative = romOffset - offset;
        if (relative < 0 || relative >= size() || relative % entrySize != 0) {
            return -1;
        }
        return (int) (relative / entrySize);
    }

    /** @return the bytes of a stack slot of the frame: 2, 4 or 8 */
    int slot() {
        return slot;
    }

    /**
     * @param vector 0 to 255
     * @return whether the CPU pushes an error code under the frame when it raises that exception
     */
    boolean hasErrorCode(int vector) {
        return this != REAL && vector < Integer.SIZE && (ERROR_CODE_VECTORS >>> vector & 1) != 0;
    }

    /**
     * @param vector 0 to 255
     * @return how far above the stack pointer at the entry point the caller's flags image is
     */
    int flagsOffset(int vector) {
        return (hasErrorCode(vector) ? slot : 0) + 2 * slot;
    }

    /** @return the bytes of the whole table, {@link #size()} long */
    byte[] code() {
        byte[] table = new byte[size()];
        for (int vector = 0; vector < FirmwareRom.VECTORS; vector++) {
            byte[] entry = entry(vector);
            System.arraycopy(entry, 0, table, vector * entrySize, entry.length);
            Arrays.fill(table, vector * entrySize + entry.length, (vector + 1) * entrySize, (byte) NOP);
        }
        return table;
    }

    private byte[] entry(int vector) {
        ByteArrayOutputStream code = new ByteArrayOutputStream();
        code.writeBytes(new byte[] {(byte) OUT_IMM8_AL, (byte) FirmwareRom.TRAP_PORT, JZ_REL8, (byte) BACK_TO_OUT});
        boolean wide = this == LONG;
        if (hasErrorCode(vector)) {
            if (wide) {
                code.write(REX_W);
            }
            code.writeBytes(new byte[] {(byte) ADD_IMM8, (byte) MODRM_ADD_ESP, (byte) slot});
        }
        if (wide) {
            code.write(REX_W);
        }
        code.write(IRET);
        return code.toByteArray();
    }
}
