package io.github.junitkvm.guest;

import java.io.ByteArrayOutputStream;

/**
 * Parses machine code written as hex byte pairs, such as {@code "ba f8 03 00 ee f4"}: ASCII digits
 * and letters only ({@link Character#digit} would take Arabic-Indic digits and fullwidth letters
 * too), separated by ASCII whitespace.
 */
final class HexCode {
    private static final String WHITESPACE = " \t\n\r\f\u000b";

    private HexCode() {
    }

    /**
     * @param text hex byte pairs; whitespace may separate bytes but not split one
     * @return the bytes
     * @throws IllegalArgumentException naming the offending character and its position
     */
    static byte[] parse(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length() / 2);
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (isWhitespace(c)) {
                i++;
                continue;
            }
            int high = digit(text, i);
            if (i + 1 >= text.length()) {
                throw new IllegalArgumentException(String.format(
                        "'%c' at position %d is half a byte: hex bytes are written as pairs of digits", c, i));
            }
            int low = digit(text, i + 1);
            bytes.write(high << 4 | low);
            i += 2;
        }
        return bytes.toByteArray();
    }

    private static boolean isWhitespace(char c) {
        return WHITESPACE.indexOf(c) >= 0;
    }

    private static int digit(String text, int position) {
        char c = text.charAt(position);
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
            return Character.toLowerCase(c) - 'a' + 10;
        }
        throw new IllegalArgumentException(String.format(
                "%s at position %d is not a hex digit (bytes are pairs of 0-9, a-f or A-F, such as \"f4\")",
                describe(c), position));
    }

    /** The character as the message shows it: printable ASCII quoted, anything else by its code point. */
    private static String describe(char c) {
        if (isWhitespace(c)) {
            return "whitespace";
        }
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
