package io.github.junitkvm;

import java.util.Locale;

/**
 * Makes text from a guest safe to put in a message, as junit-kvm's own failure messages, exits and
 * reports show it: a guest's serial output, log lines or assertion texts cannot then forge or hide
 * lines in a build log or a terminal. Use it where your own messages quote what a guest wrote.
 */
public final class GuestText {
    private GuestText() {
    }

    /**
     * Escapes every character that could forge or hide lines: line breaks, escape sequences and the
     * other control characters (C0, DEL, C1), the Unicode line and paragraph separators, the
     * invisible format characters (bidi overrides and isolates, zero-width characters) and unpaired
     * surrogates. Everything else, non-ASCII letters included, stays as it is.
     *
     * @param text any text
     * @return the text with each such character escaped as {@code \n}, {@code \r}, {@code \t},
     *     {@code \x1b} (up to {@code 0xff}) or <code>&#92;u202e</code>
     */
    public static String escape(String text) {
        if (text.codePoints().noneMatch(GuestText::isEscaped)) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (isEscaped(c)) {
                escaped.append(escaped(c));
            } else {
                escaped.appendCodePoint(c);
            }
        });
        return escaped.toString();
    }

    /**
     * Writes the text as the inside of a Java string literal, for a message that shows it between
     * quotes: quotes and every character outside printable ASCII are escaped.
     *
     * @param text any text
     * @return the text with {@code "} as {@code \"}, and every character outside printable ASCII
     *     escaped as by {@link #escape(String)} ({@code \n}, {@code \x1b}, {@code \xe9},
     *     <code>&#92;u202e</code>)
     */
    public static String literal(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"') {
                escaped.append("\\\"");
            } else if (c < 0x20 || c >= 0x7f) {
                escaped.append(escaped(c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /**
     * @param codePoint a Unicode code point
     * @return whether {@link #escape(String)} escapes it
     */
    private static boolean isEscaped(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE -> true;
            default -> false;
        };
    }

    /**
     * @param codePoint a code point to write escaped
     * @return {@code \n}, {@code \r} or {@code \t} for those, else {@code \x} and two hex digits up
     *     to {@code 0xff}, <code>&#92;u</code> and four or more hex digits above
     */
    private static String escaped(int codePoint) {
        return switch (codePoint) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> String.format(Locale.ROOT, codePoint <= 0xff ? "\\x%02x" : "\\u%04x", codePoint);
        };
    }
}
