package io.github.junitkvm.firmware;

import io.github.junitkvm.GuestMemory;

/**
 * The BIOS data area at {@code 0x400}, the fields this BIOS keeps there as a PC BIOS does, so that
 * a guest reading them directly finds what the services answer.
 */
final class BiosDataArea {
    static final long COM1_PORT = 0x400;
    static final long EQUIPMENT = 0x410;
    static final long MEMORY_KIB = 0x413;
    static final long KEYBOARD_HEAD = 0x41a;
    static final long KEYBOARD_TAIL = 0x41c;
    static final long VIDEO_MODE = 0x449;
    static final long COLUMNS = 0x44a;
    static final long PAGE_SIZE = 0x44c;
    /** Eight cursor positions, one word per page: column in the low byte, row in the high byte. */
    static final long CURSOR = 0x450;
    static final long CURSOR_SHAPE = 0x460;
    static final long ACTIVE_PAGE = 0x462;
    static final long CRTC_PORT = 0x463;
    static final long TICKS = 0x46c;
    static final long MIDNIGHT = 0x470;
    static final long HARD_DISK_STATUS = 0x474;
    static final long HARD_DISKS = 0x475;
    static final long LAST_ROW = 0x484;
    static final long FLOPPY_STATUS = 0x441;

    static final int TEXT_MODE = 3;
    static final int TEXT_COLUMNS = 80;
    static final int TEXT_ROWS = 25;
    /** The equipment word's "80x25 colour" video bits and its one serial port. */
    private static final int EQUIPMENT_BASE = 0x0020 | 1 << 9;

    private BiosDataArea() {
    }

    /**
     * Fills the data area as at power-on.
     *
     * @param memory the guest's memory
     * @param conventionalKib the conventional memory, in KiB
     */
    static void initialise(GuestMemory memory, int conventionalKib) {
        memory.write(0x400, new byte[0x100]);
        memory.writeShort(COM1_PORT, 0x3f8);
        memory.writeShort(EQUIPMENT, EQUIPMENT_BASE);
        memory.writeShort(MEMORY_KIB, conventionalKib);
        memory.writeShort(KEYBOARD_HEAD, 0x1e);
        memory.writeShort(KEYBOARD_TAIL, 0x1e);
        memory.writeByte(VIDEO_MODE, TEXT_MODE);
        memory.writeShort(COLUMNS, TEXT_COLUMNS);
        memory.writeShort(PAGE_SIZE, 0x1000);
        memory.writeShort(CURSOR_SHAPE, 0x0607);
        memory.writeShort(CRTC_PORT, 0x3d4);
        memory.writeByte(LAST_ROW, TEXT_ROWS - 1);
    }

    /**
     * @param memory the guest's memory
     * @param floppies how many floppy drives are attached
     * @param hardDisks how many hard disks are attached
     */
    static void drives(GuestMemory memory, int floppies, int hardDisks) {
        int equipment = memory.readShort(EQUIPMENT) & ~0xc1;
        if (floppies > 0) {
            equipment |= 1 | (floppies - 1) << 6;
        }
        memory.writeShort(EQUIPMENT, equipment);
        memory.writeByte(HARD_DISKS, hardDisks);
    }
}
