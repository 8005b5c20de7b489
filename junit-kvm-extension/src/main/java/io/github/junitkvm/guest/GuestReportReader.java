package io.github.junitkvm.guest;

import io.github.junitkvm.GuestAssertion;
import io.github.junitkvm.GuestLibrary;
import io.github.junitkvm.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the reports of the {@link GuestLibrary} out of guest memory: the 128-byte
 * {@code struct junitkvm_report} of {@code junitkvm.h} whose address the guest wrote to
 * {@link GuestLibrary#PORT}, and the strings it points to. Every pointer is taken for a guest
 * physical address (guest memory is identity-mapped in every mode).
 *
 * <p>A report the host cannot read — a write of another size, an address outside RAM, no magic, an
 * unknown kind — is a guest bug like a failed assertion, and is reported as one, saying what is
 * wrong; a bad string pointer inside a good report shows as {@code <bad pointer 0x...>} in place.
 */
final class GuestReportReader {
    static final int SIZE = 128;
    static final int MAGIC = 0x4d564b4a;
    static final int LOG = 1;
    static final int ASSERT = 2;
    static final int ASSERT_EQ = 3;
    static final int DONE = 4;
    static final int MAX_ARGS = 8;
    /** Longer strings are cut here: a missing NUL must not read all of RAM. */
    static final int MAX_STRING = 4096;
    private static final int SIGNED = 0x80;
    /** Strings are read in chunks of this many bytes, fewer where RAM ends. */
    private static final int CHUNK = 256;

    private final GuestMemory memory;

    /** @param memory the guest's memory, where reports and strings are read */
    GuestReportReader(GuestMemory memory) {
        this.memory = memory;
    }

    /**
     * @param size the size of the guest's {@code OUT} to the report port
     * @param address the value it wrote: the report's address
     * @return what the report says
     */
    GuestReport read(int size, long address) {
        if (size != 4) {
            return malformed(String.format(Locale.ROOT,
                    "the guest wrote 0x%x to the report port 0x%x with a %d-byte OUT; the guest library"
                            + " writes a report's address with a 4-byte OUT", address, GuestLibrary.PORT, size));
        }
        ByteBuffer report;
        try {
            report = ByteBuffer.wrap(memory.read(address, SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IllegalArgumentException e) {
            return malformed(String.format(Locale.ROOT, "the guest reported on port 0x%x a report at 0x%x"
                    + " that is not in guest RAM: %s", GuestLibrary.PORT, address, e.getMessage()));
        }
        int magic = report.getInt(0);
        int kind = report.get(4) & 0xff;
        int argc = report.get(5) & 0xff;
        if (magic != MAGIC) {
            return malformed(String.format(Locale.ROOT, "the guest reported on port 0x%x a report at 0x%x"
                    + " that is not one: magic 0x%08x (expected 0x%08x); is the report below 4 GiB, and its"
                    + " pointers guest physical addresses?", GuestLibrary.PORT, address, magic, MAGIC));
        }
        if (kind < LOG || kind > DONE) {
            return malformed(String.format(Locale.ROOT, "the guest reported on port 0x%x a report at 0x%x"
                    + " of unknown kind %d (1 log, 2 assertion, 3 equality, 4 done)",
                    GuestLibrary.PORT, address, kind));
        }
        if (argc > MAX_ARGS) {
            return malformed(String.format(Locale.ROOT, "the guest reported on port 0x%x a report at 0x%x"
                    + " with %d arguments, more than the %d a report holds",
                    GuestLibrary.PORT, address, argc, MAX_ARGS));
        }
        return switch (kind) {
            case LOG -> new GuestReport.Log(withoutTrailingNewline(message(report, argc)));
            case DONE -> new GuestReport.Done();
            default -> new GuestReport.Failure(assertion(report, kind, argc));
        };
    }

    private GuestAssertion assertion(ByteBuffer report, int kind, int argc) {
        long file = report.getLong(8);
        int line = (int) report.getLong(16);
        long expression = report.getLong(24);
        List<GuestAssertion.Operand> operands = new ArrayList<>();
        String text;
        if (kind == ASSERT_EQ) {
            GuestAssertion.Operand lhs = operand(expression, report.getLong(40), report.get(6));
            GuestAssertion.Operand rhs = operand(report.getLong(32), report.getLong(48), report.get(7));
            operands.add(lhs);
            operands.add(rhs);
            text = "KVM_ASSERT_EQ(" + lhs.expression() + ", " + rhs.expression() + ")";
        } else {
            text = expression == 0 ? "KVM_FAIL" : "KVM_ASSERT(" + string(expression) + ")";
        }
        return new GuestAssertion(file == 0 ? "" : string(file), line, text, operands, message(report, argc));
    }

    private GuestAssertion.Operand operand(long expression, long value, byte type) {
        return new GuestAssertion.Operand(string(expression), value, type & 0x0f, (type & SIGNED) != 0);
    }

    private String message(ByteBuffer report, int argc) {
        long format = report.getLong(56);
        if (format == 0) {
            return "";
        }
        long[] args = new long[argc];
        for (int i = 0; i < argc; i++) {
            args[i] = report.getLong(64 + 8 * i);
        }
        return GuestFormat.format(string(format), args, this::string);
    }

    /**
     * Reads a string the guest points to, in at most a few dozen reads whatever the pointer: a
     * pointer outside RAM shows as such, and a string is cut where RAM ends or after
     * {@link #MAX_STRING} bytes.
     *
     * @param address a guest physical address
     * @return the NUL-terminated UTF-8 string there, cut at {@link #MAX_STRING} bytes or at the end
     *     of RAM (then ending in {@code ...}), or {@code <bad pointer 0x...>} if it starts outside RAM
     */
    String string(long address) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long at = address;
        int chunk = CHUNK;
        // One byte past the limit tells a string of exactly MAX_STRING bytes from a longer one.
        while (bytes.size() <= MAX_STRING) {
            byte[] read;
            try {
                read = memory.read(at, Math.min(chunk, MAX_STRING + 1 - bytes.size()));
            } catch (IllegalArgumentException e) {
                // RAM ends within the chunk: halving it finds that end in a few reads.
                if (chunk == 1) {
                    return bytes.size() == 0 ? String.format(Locale.ROOT, "<bad pointer 0x%x>", address)
                            : decode(bytes) + GuestFormat.CUT;
                }
                chunk /= 2;
                continue;
            }
            for (byte b : read) {
                if (b == 0) {
                    return decode(bytes);
                }
                bytes.write(b);
            }
            at += read.length;
        }
        return new String(bytes.toByteArray(), 0, MAX_STRING, StandardCharsets.UTF_8) + GuestFormat.CUT;
    }

    private static String decode(ByteArrayOutputStream bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String withoutTrailingNewline(String line) {
        return line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
    }

    private static GuestReport malformed(String why) {
        return new GuestReport.Failure(new GuestAssertion("", 0, "", List.of(), why));
    }
}
