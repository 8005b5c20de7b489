package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A guest that reads a device through {@code IN}: it drains an i8042 keyboard controller — status
 * port 0x64, data port 0x60 — turns scan-code set 1 make codes into ASCII with a table, ignores
 * key releases, and echoes the text on COM1. The test plays the keyboard.
 *
 * <pre>
 * poll:   in   al, 0x64
 *         test al, 1           ; output buffer full?
 *         jz   done
 *         in   al, 0x60
 *         test al, 0x80        ; a release
 *         jnz  poll
 *         mov  bx, table
 *         xlat
 *         test al, al
 *         jz   poll
 *         mov  dx, 0x3f8
 *         out  dx, al
 *         jmp  poll
 * done:   hlt
 * table:  ...                  ; scan code to ASCII, digits, letters, space, enter
 * </pre>
 */
class KeyboardControllerTest {
    private static final String ECHO_KEYS = "e4 64 a8 01 74 14 e4 60 a8 80 75 f4 bb 1b 10 d7 84 c0 74 ec ba f8 03 ee"
            + " eb e6 f4 00 00 31 32 33 34 35 36 37 38 39 30 00 00 00 00 71 77 65 72 74 79 75 69 6f 70 00 00 0a 00"
            + " 61 73 64 66 67 68 6a 6b 6c 00 00 00 00 00 7a 78 63 76 62 6e 6d 00 00 00 00 00 00 20";

    private static final Map<Character, Integer> SCAN_CODES = scanCodes();

    @ParameterizedTest
    @ValueSource(strings = {"hello world\n", "qwerty 123\n", "the quick brown fox jumps over the lazy dog\n", ""})
    @KvmGuest(code = ECHO_KEYS)
    void echoesWhatIsTyped(String text, KvmVm vm) {
        Queue<Integer> keyboard = new ArrayDeque<>();
        for (char c : text.toCharArray()) {
            keyboard.add(SCAN_CODES.get(c));
            keyboard.add(SCAN_CODES.get(c) | 0x80);
        }
        vm.onPortIn(0x64, (port, size) -> keyboard.isEmpty() ? 0 : 1);
        vm.onPortIn(0x60, (port, size) -> keyboard.remove());

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().hasSerialOutput(text);
        assertThat(keyboard).as("every key read").isEmpty();
    }

    private static Map<Character, Integer> scanCodes() {
        Map<Character, Integer> codes = new java.util.HashMap<>();
        String[] rows = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
        int[] firstCodes = {0x02, 0x10, 0x1e, 0x2c};
        for (int row = 0; row < rows.length; row++) {
            for (int i = 0; i < rows[row].length(); i++) {
                codes.put(rows[row].charAt(i), firstCodes[row] + i);
            }
        }
        codes.put(' ', 0x39);
        codes.put('\n', 0x1c);
        return Map.copyOf(codes);
    }
}
