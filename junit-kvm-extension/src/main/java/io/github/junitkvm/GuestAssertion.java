package io.github.junitkvm;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An assertion that failed inside the guest ({@code KVM_ASSERT}, {@code KVM_ASSERT_EQ},
 * {@code KVM_FAIL} of the {@link GuestLibrary}), as the guest reported it.
 *
 * @param file the guest's source file, or the empty string when the guest did not say (asm)
 * @param line the line in that file, or 0
 * @param expression the assertion as written, for example {@code KVM_ASSERT_EQ(crc, expected)};
 *     the empty string when the report itself was malformed
 * @param operands the compared values of a {@code KVM_ASSERT_EQ}, else empty
 * @param message the assertion's formatted message, or the empty string
 */
public record GuestAssertion(String file, int line, String expression, List<Operand> operands, String message) {

    /**
     * Checks the fields.
     *
     * @param file the source file or the empty string
     * @param line the line or 0
     * @param expression the assertion as written
     * @param operands the compared values
     * @param message the message or the empty string
     */
    public GuestAssertion {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(expression, "expression");
        operands = List.copyOf(operands);
        Objects.requireNonNull(message, "message");
    }

    /** @return {@code file:line}, or the empty string when the guest did not say where */
    public String location() {
        if (file.isEmpty()) {
            return "";
        }
        return line > 0 ? file + ":" + line : file;
    }

    /**
     * @return the failure over several lines: where, the assertion, each operand's value in hex and
     *     decimal, the message; with the line breaks, control characters and bidi controls of the
     *     guest's texts escaped ({@code \n}, {@code \x1b}, <code>&#92;u202e</code>), so that a guest cannot
     *     forge lines in a build log
     */
    public String describe() {
        StringBuilder text = new StringBuilder("guest assertion failed");
        if (!location().isEmpty()) {
            text.append(" at ").append(GuestText.escape(location()));
        }
        if (!expression.isEmpty()) {
            text.append(": ").append(GuestText.escape(expression));
        }
        List<String> names = operands.stream().map(operand -> GuestText.escape(operand.expression())).toList();
        int width = names.stream().mapToInt(String::length).max().orElse(0);
        for (int i = 0; i < operands.size(); i++) {
            text.append(String.format(Locale.ROOT, "%n  %-" + Math.max(1, width) + "s = %s",
                    names.get(i), operands.get(i).formatted()));
        }
        if (!message.isEmpty()) {
            text.append(operands.isEmpty() && expression.isEmpty() ? ": " : String.format("%n  "))
                    .append(GuestText.escape(message));
        }
        return text.toString();
    }

    /**
     * @return the failure on one line, for example {@code guest.c:12: KVM_ASSERT_EQ(a, b): a = 0x1 (1), b = 0x2 (2)};
     *     the guest's texts escaped as in {@link #describe()}
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(GuestText.escape(location()));
        if (!expression.isEmpty()) {
            text.append(text.length() == 0 ? "" : ": ").append(GuestText.escape(expression));
        }
        String separator = text.length() == 0 ? "" : ": ";
        for (Operand operand : operands) {
            text.append(separator).append(GuestText.escape(operand.expression())).append(" = ").append(operand.formatted());
            separator = ", ";
        }
        if (!message.isEmpty()) {
            text.append(separator).append(GuestText.escape(message));
        }
        return text.toString();
    }

    /**
     * One side of a failed {@code KVM_ASSERT_EQ}.
     *
     * @param expression the operand as written in the guest's source
     * @param value its value: signed operands sign-extended to 64 bits, others zero-extended
     * @param size its size in bytes (1, 2, 4 or 8), or 0 when the guest did not say
     * @param signed whether its type is signed
     */
    public record Operand(String expression, long value, int size, boolean signed) {
        /**
         * Checks the fields.
         *
         * @param expression the operand as written
         * @param value its value
         * @param size its size in bytes, or 0
         * @param signed whether it is signed
         */
        public Operand {
            Objects.requireNonNull(expression, "expression");
        }

        /**
         * @return the value in hex at the operand's width and in decimal, for example
         *     {@code 0xffffffff (-1)} for an {@code int} or {@code 0xcbf43926 (3421780262)} for a
         *     {@code uint32_t}
         */
        public String formatted() {
            long bits = size > 0 && size < 8 ? value & ((1L << (8 * size)) - 1) : value;
            String decimal = signed ? Long.toString(value) : Long.toUnsignedString(bits);
            return "0x" + Long.toHexString(bits) + " (" + decimal + ")";
        }
    }
}
