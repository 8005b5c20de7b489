package io.github.junitkvm.firmware;

import io.github.junitkvm.GuestMemory;
import java.util.function.IntConsumer;

/**
 * {@code INT 10h}, a text screen of 80 by 25 characters that keeps no picture, only the cursor (in
 * the BIOS data area) and what the guest printed: teletype output ({@code AH=0Eh}), characters at
 * the cursor ({@code 09h}, {@code 0Ah}) and strings ({@code 13h}) go, as the guest sent them, to
 * the run's screen output.
 */
final class VideoServices implements FirmwareService {
    private final GuestMemory memory;
    private final RamMap ram;
    private final IntConsumer screen;

    /**
     * @param memory the guest's memory, with the BIOS data area
     * @param ram where strings may be read from
     * @param screen receives each character printed
     */
    VideoServices(GuestMemory memory, RamMap ram, IntConsumer screen) {
        this.memory = memory;
        this.ram = ram;
        this.screen = screen;
    }

    @Override
    public Outcome serve(InterruptCall call) {
        switch (call.ah()) {
            case 0x00 -> {
                memory.writeByte(BiosDataArea.VIDEO_MODE, call.al() & 0x7f);
                setCursor(0, 0, 0);
            }
            case 0x01 -> memory.writeShort(BiosDataArea.CURSOR_SHAPE, call.cx());
            case 0x02 -> setCursor(call.bh() & 7, call.dh(), call.dl());
            case 0x03 -> {
                int cursor = memory.readShort(cursorOf(call.bh() & 7));
                call.setDx(cursor >>> 8 << 8 | cursor & 0xff);
                call.setCx(memory.readShort(BiosDataArea.CURSOR_SHAPE));
            }
            case 0x05 -> memory.writeByte(BiosDataArea.ACTIVE_PAGE, call.al() & 7);
            case 0x06, 0x07 -> { } // scrolling a screen that keeps no picture changes nothing
            case 0x09, 0x0a -> {
                for (int i = 0; i < call.cx(); i++) {
                    screen.accept(call.al());
                }
            }
            case 0x0e -> teletype(call.al());
            case 0x0f -> {
                call.setAx(BiosDataArea.TEXT_COLUMNS << 8 | memory.readByte(BiosDataArea.VIDEO_MODE));
                call.setBx(call.bx() & 0xff | memory.readByte(BiosDataArea.ACTIVE_PAGE) << 8);
            }
            case 0x13 -> {
                return writeString(call);
            }
            default -> {
                return call.unserved("BIOS's INT 10h");
            }
        }
        return Outcome.RETURNED;
    }

    /** Prints a character and moves the cursor as a terminal does: CR, LF, backspace and bell are controls. */
    private void teletype(int character) {
        screen.accept(character);
        int page = memory.readByte(BiosDataArea.ACTIVE_PAGE) & 7;
        int cursor = memory.readShort(cursorOf(page));
        int column = cursor & 0xff;
        int row = cursor >>> 8;
        switch (character) {
            case '\r' -> column = 0;
            case '\n' -> row++;
            case '\b' -> column = Math.max(0, column - 1);
            case 0x07 -> { }
            default -> {
                if (++column == BiosDataArea.TEXT_COLUMNS) {
                    column = 0;
                    row++;
                }
            }
        }
        setCursor(page, Math.min(row, BiosDataArea.TEXT_ROWS - 1), column);
    }

    /**
     * AH=13h: CX characters at ES:BP, at row DH, column DL of page BH; AL bit 1 says the string
     * alternates characters and attributes, bit 0 that the cursor moves to its end.
     */
    private Outcome writeString(InterruptCall call) {
        int mode = call.al();
        int step = (mode & 2) != 0 ? 2 : 1;
        long string = call.es((int) call.registers().rbp());
        long length = (long) call.cx() * step;
        if (!ram.readable(string, length)) {
            return Outcome.pending(call.describe() + String.format(": the string of %d bytes at linear 0x%x is"
                    + " not in guest RAM", length, string));
        }
        byte[] bytes = memory.read(string, (int) length);
        for (int i = 0; i < bytes.length; i += step) {
            screen.accept(bytes[i] & 0xff);
        }
        if ((mode & 1) != 0) {
            int end = call.dl() + call.cx();
            setCursor(call.bh() & 7, Math.min(BiosDataArea.TEXT_ROWS - 1, call.dh() + end / BiosDataArea.TEXT_COLUMNS),
                    end % BiosDataArea.TEXT_COLUMNS);
        }
        return Outcome.RETURNED;
    }

    private void setCursor(int page, int row, int column) {
        memory.writeShort(cursorOf(page), (row & 0xff) << 8 | column & 0xff);
    }

    private static long cursorOf(int page) {
        return BiosDataArea.CURSOR + 2L * page;
    }
}
