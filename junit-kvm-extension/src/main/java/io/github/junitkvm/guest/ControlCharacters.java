package io.github.junitkvm.guest;

import java.util.Locale;

/**
 * Makes text from a guest safe to put in a failure message: escapes every character that could
 * forge or hide lines in a build log or a terminal — line breaks, escape sequences and the other
 * control characters (C0, DEL, C1), the Unicode line and paragraph separators, the invisible
 * format characters (bidi overrides and isolates, zero-width characters) and unpaired surrogates.
 * Everything else, non-ASCII letters included, stays as it is.
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

    /**
     * @param text any text
     * @return the text with each such character escaped as {@code \n}, {@code \r}, {@code \t},
     *     {@code \x1b} (up to {@code 0xff}) or <code>&#92;u202e</code>
     */
    public static String escape(String text) {
        if (text.codePoints().noneMatch(ControlCharacters::isEscaped)) {
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
     * @param codePoint a Unicode code point
     * @return whether {@link #escape(String)} escapes it
     */
    static boolean isEscaped(int codePoint) {
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
    static String escaped(int codePoint) {
        return switch (codePoint) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> String.format(Locale.ROOT, codePoint <= 0xff ? "\\x%02x" : "\\u%04x", codePoint);
        };
    }
}
