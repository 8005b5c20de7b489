package io.github.junitkvm.guest;

import java.util.Locale;
import java.util.function.LongFunction;

/**
 * The host half of the guest library's {@code printf}: formats a guest's format string with the
 * arguments the guest passed as 64-bit values (signed ones sign-extended, pointers as addresses).
 *
 * <p>Conversions {@code d i u x X o c s p %}, flags {@code - + space # 0}, width and precision
 * (also {@code *}, taken from the arguments as C does), length modifiers {@code hh h l ll z j t}:
 * {@code hh}, {@code h} and none format 8, 16 and 32 bits, the others 64, which is right for both
 * 32- and 64-bit guests because the guest widened each argument by its real type. An unknown
 * conversion and everything after it are copied as they are, since the guest stopped passing
 * arguments there too; an argument the guest did not pass shows as {@code <missing>}, and says so
 * when the report was full ({@value GuestReportReader#MAX_ARGS} arguments).
 *
 * <p>The guest controls the format and the arguments, so the text is bounded whatever they ask for:
 * a width or precision above {@value #MAX_LENGTH} counts as {@value #MAX_LENGTH}, and the text is
 * cut after {@value #MAX_LENGTH} characters, ending in {@code ...}. Within these bounds the output
 * is glibc's, {@code (nil)} for a null {@code %p} and {@code (null)} for a null {@code %s} included.
 */
final class GuestFormat {
    /** The longest text a format gives, and so the widest field and the highest precision. */
    static final int MAX_LENGTH = 4096;
    static final String MISSING = "<missing>";
    /** In place of the arguments past a full report: the guest library passes no more. */
    static final String PAST_A_FULL_REPORT =
            "<missing: a report holds at most " + GuestReportReader.MAX_ARGS + " arguments>";
    static final String CUT = "...";

    private final String format;
    private final long[] args;
    private final LongFunction<String> strings;
    private final StringBuilder out = new StringBuilder();
    private int next;
    private int position;

    private GuestFormat(String format, long[] args, LongFunction<String> strings) {
        this.format = format;
        this.args = args;
        this.strings = strings;
    }

    /**
     * @param format the guest's format string
     * @param args the arguments, in order
     * @param strings reads the guest's NUL-terminated string at an address, for {@code %s}
     * @return the formatted text
     */
    static String format(String format, long[] args, LongFunction<String> strings) {
        return new GuestFormat(format, args, strings).run();
    }

    private String run() {
        while (position < format.length() && out.length() <= MAX_LENGTH) {
            char c = format.charAt(position);
            if (c != '%') {
                out.append(c);
                position++;
            } else if (!conversion()) {
                out.append(format, position, format.length());
                break;
            }
        }
        if (out.length() > MAX_LENGTH) {
            out.setLength(MAX_LENGTH);
            out.append(CUT);
        }
        return out.toString();
    }

    /** Formats the conversion at {@link #position} and moves past it; false if it is unknown. */
    private boolean conversion() {
        int p = position + 1;
        Spec spec = new Spec();
        for (; p < format.length() && "-+ #0".indexOf(format.charAt(p)) >= 0; p++) {
            spec.flag(format.charAt(p));
        }
        if (p < format.length() && format.charAt(p) == '*') {
            // An int, as C passes it: a negative width left-aligns.
            Long width = take();
            int value = width == null ? 0 : width.intValue();
            spec.leftAlign |= value < 0;
            spec.width = capped(Math.abs((long) value));
            p++;
        }
        for (; p < format.length() && isDigit(format.charAt(p)); p++) {
            spec.width = capped(spec.width * 10L + format.charAt(p) - '0');
        }
        if (p < format.length() && format.charAt(p) == '.') {
            p++;
            spec.precision = 0;
            if (p < format.length() && format.charAt(p) == '*') {
                // An int too: a negative precision is taken as none.
                Long precision = take();
                spec.precision = precision == null || precision.intValue() < 0 ? -1 : capped(precision.intValue());
                p++;
            }
            for (; p < format.length() && isDigit(format.charAt(p)); p++) {
                spec.precision = capped(spec.precision * 10L + format.charAt(p) - '0');
            }
        }
        int bits = 32;
        if (format.startsWith("hh", p)) {
            bits = 8;
            p += 2;
        } else if (p < format.length() && format.charAt(p) == 'h') {
            bits = 16;
            p++;
        } else if (format.startsWith("ll", p)) {
            bits = 64;
            p += 2;
        } else if (p < format.length() && "lzjt".indexOf(format.charAt(p)) >= 0) {
            bits = 64;
            p++;
        }
        if (p >= format.length()) {
            return false;
        }
        char conversion = format.charAt(p);
        if (conversion == '%') {
            out.append('%');
        } else if ("diuxXocsp".indexOf(conversion) >= 0) {
            Long value = take();
            out.append(value == null ? missing() : spec.pad(convert(conversion, value, bits, spec)));
        } else {
            return false;
        }
        position = p + 1;
        return true;
    }

    private String convert(char conversion, long value, int bits, Spec spec) {
        return switch (conversion) {
            case 'd', 'i' -> spec.number(Long.toString(signExtend(value, bits)), "");
            case 'u' -> spec.number(Long.toUnsignedString(truncate(value, bits)), "");
            case 'x' -> spec.number(Long.toHexString(truncate(value, bits)), spec.alternate && truncate(value, bits) != 0 ? "0x" : "");
            case 'X' -> spec.number(Long.toHexString(truncate(value, bits)).toUpperCase(Locale.ROOT),
                    spec.alternate && truncate(value, bits) != 0 ? "0X" : "");
            case 'o' -> spec.number(Long.toOctalString(truncate(value, bits)), spec.alternate ? "0" : "");
            case 'c' -> String.valueOf((char) (value & 0xff));
            case 'p' -> value == 0 ? "(nil)" : "0x" + Long.toHexString(value);
            default -> string(value, spec.precision);
        };
    }

    private String string(long address, int precision) {
        String text = address == 0 ? "(null)" : strings.apply(address);
        return precision >= 0 && text.length() > precision ? text.substring(0, precision) : text;
    }

    private Long take() {
        return next < args.length ? args[next++] : null;
    }

    private String missing() {
        return args.length < GuestReportReader.MAX_ARGS ? MISSING : PAST_A_FULL_REPORT;
    }

    /** Widths and precisions past the longest text could not show: they count as it. */
    private static int capped(long widthOrPrecision) {
        return (int) Math.min(widthOrPrecision, MAX_LENGTH);
    }

    /** Only ASCII digits: {@link Character#isDigit(char)} takes other scripts' digits too. */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static long truncate(long value, int bits) {
        return bits == 64 ? value : value & ((1L << bits) - 1);
    }

    private static long signExtend(long value, int bits) {
        return bits == 64 ? value : value << (64 - bits) >> (64 - bits);
    }

    /** The flags, width and precision of one conversion. */
    private static final class Spec {
        boolean leftAlign;
        boolean plus;
        boolean space;
        boolean alternate;
        boolean zero;
        int width;
        int precision = -1;

        void flag(char c) {
            switch (c) {
                case '-' -> leftAlign = true;
                case '+' -> plus = true;
                case ' ' -> space = true;
                case '#' -> alternate = true;
                default -> zero = true;
            }
        }

        /** Applies precision (minimum digits), the sign flags and zero padding to a number. */
        String number(String digits, String prefix) {
            String sign = "";
            if (digits.startsWith("-")) {
                sign = "-";
                digits = digits.substring(1);
            } else if (plus) {
                sign = "+";
            } else if (space) {
                sign = " ";
            }
            if (precision == 0 && digits.equals("0")) {
                digits = "";
            }
            if (precision > digits.length()) {
                digits = "0".repeat(precision - digits.length()) + digits;
            }
            if (prefix.equals("0") && digits.startsWith("0")) {
                prefix = "";
            }
            String head = sign + prefix;
            if (zero && !leftAlign && precision < 0 && head.length() + digits.length() < width) {
                digits = "0".repeat(width - head.length() - digits.length()) + digits;
            }
            return head + digits;
        }

        String pad(String text) {
            if (text.length() >= width) {
                return text;
            }
            String padding = " ".repeat(width - text.length());
            return leftAlign ? text + padding : padding + text;
        }
    }
}
