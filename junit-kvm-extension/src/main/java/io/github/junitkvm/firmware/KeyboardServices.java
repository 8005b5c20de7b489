package io.github.junitkvm.firmware;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * {@code INT 16h}: keys from a queue the test fills. A guest that waits for a key the queue does
 * not have stops the run, saying so; the next run, after the test queued keys, makes its call again.
 */
final class KeyboardServices implements FirmwareService {
    /** US keyboard scan codes of the printable ASCII characters from {@code ' '}, unshifted and shifted alike. */
    private static final String SCAN_CODES_FROM_SPACE =
            "39 02 28 04 05 06 08 28 0a 0b 09 0d 33 0c 34 35 0b 02 03 04 05 06 07 08 09 0a 27 27 33 0d 34 35 "
            + "03 1e 30 2e 20 12 21 22 23 17 24 25 26 32 31 18 19 10 13 1f 14 16 2f 11 2d 15 2c 1a 2b 1b 07 0c "
            + "29 1e 30 2e 20 12 21 22 23 17 24 25 26 32 31 18 19 10 13 1f 14 16 2f 11 2d 15 2c 1a 2b 1b 29";
    private static final int ENTER = 0x1c0d;
    private static final int BACKSPACE = 0x0e08;
    private static final int TAB = 0x0f09;
    private static final int ESCAPE = 0x011b;

    private final Deque<Integer> keys = new ArrayDeque<>();

    /**
     * @param character an ASCII character
     * @return the key that types it, as {@code INT 16h} returns it in {@code AX}
     */
    static int keyOf(char character) {
        return switch (character) {
            case '\n', '\r' -> ENTER;
            case '\b' -> BACKSPACE;
            case '\t' -> TAB;
            case 0x1b -> ESCAPE;
            default -> {
                if (character >= 1 && character <= 26) { // Ctrl+A to Ctrl+Z: the letter's key
                    yield scanCode((char) ('a' + character - 1)) << 8 | character;
                }
                if (character < ' ' || character > '~') {
                    throw new IllegalArgumentException(String.format(
                            "character U+%04X has no key on a US keyboard", (int) character));
                }
                yield scanCode(character) << 8 | character;
            }
        };
    }

    private static int scanCode(char printable) {
        int at = (printable - ' ') * 3;
        return Integer.parseInt(SCAN_CODES_FROM_SPACE.substring(at, at + 2), 16);
    }

    void press(int key) {
        keys.addLast(key);
    }

    @Override
    public Outcome serve(InterruptCall call) {
        return switch (call.ah()) {
            case 0x00, 0x10 -> {
                if (keys.isEmpty()) {
                    yield Outcome.pending(call.describe() + ": the guest waits for a key and the key queue is"
                            + " empty (queue keys with Bios.typeKeys or Bios.pressKey, then run again)");
                }
                call.setAx(keys.removeFirst());
                yield Outcome.RETURNED;
            }
            case 0x01, 0x11 -> {
                call.setZero(keys.isEmpty());
                if (!keys.isEmpty()) {
                    call.setAx(keys.peekFirst());
                }
                yield Outcome.RETURNED;
            }
            case 0x02 -> {
                call.setAl(0);
                yield Outcome.RETURNED;
            }
            case 0x12 -> {
                call.setAx(0);
                yield Outcome.RETURNED;
            }
            case 0x03 -> Outcome.RETURNED;
            case 0x05 -> {
                keys.addLast(call.cx());
                call.setAl(0);
                yield Outcome.RETURNED;
            }
            default -> call.unserved("BIOS's INT 16h");
        };
    }
}
