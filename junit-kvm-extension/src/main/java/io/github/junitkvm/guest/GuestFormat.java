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
 * arguments there too; an argument the guest did not pass shows as {@code <missing>}. The output
 * is glibc's, {@code (nil)} for a null {@code %p} and {@code (null)} for a null {@code %s} included.
 */
final class GuestFormat {
    static final String MISSING = "<missing>";

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
        while (position < format.length()) {
            char c = format.charAt(position);
            if (c != '%') {
                out.append(c);
                position++;
            } else if (!conversion()) {
                out.append(format, position, format.length());
                break;
            }
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
            Long width = take();
            if (width != null && width.intValue() < 0) {
                spec.leftAlign = true;
            }
            spec.width = width == null ? 0 : Math.abs(width.intValue());
            p++;
        }
        for (; p < format.length() && Character.isDigit(format.charAt(p)); p++) {
            spec.width = Math.min(spec.width * 10 + format.charAt(p) - '0', 4096);
        }
        if (p < format.length() && format.charAt(p) == '.') {
            p++;
            spec.precision = 0;
            if (p < format.length() && format.charAt(p) == '*') {
                Long precision = take();
                spec.precision = precision == null || precision.intValue() < 0 ? -1 : precision.intValue();
                p++;
            }
            for (; p < format.length() && Character.isDigit(format.charAt(p)); p++) {
                spec.precision = Math.min(spec.precision * 10 + format.charAt(p) - '0', 4096);
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
            out.append(value == null ? MISSING : spec.pad(convert(conversion, value, bits, spec)));
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
