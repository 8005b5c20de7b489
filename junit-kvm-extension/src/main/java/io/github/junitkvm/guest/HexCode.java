package io.github.junitkvm.guest;

import java.io.ByteArrayOutputStream;

/** Parses machine code written as hex byte pairs, such as {@code "ba f8 03 00 ee f4"}. */
final class HexCode {
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
            if (Character.isWhitespace(c)) {
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

    private static int digit(String text, int position) {
        char c = text.charAt(position);
        int value = Character.digit(c, 16);
        if (value < 0) {
            String shown = Character.isWhitespace(c) ? "whitespace" : "'" + c + "'";
            throw new IllegalArgumentException(String.format(
                    "%s at position %d is not a hex digit (bytes are pairs such as \"f4\")", shown, position));
        }
        return value;
    }
}
