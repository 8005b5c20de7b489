package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.GuestLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's half of the guest library's printf, checked against glibc's: a C program built with
 * the system's gcc calls {@code printf} and the guest library's own argument collection
 * ({@code junitkvm_take_args_} of {@code junitkvm.h}) on the same format and arguments, and
 * {@link GuestFormat} must print what glibc printed from what the guest library collected.
 */
class GuestFormatTest {
    /** A format and the C arguments that go with it. */
    private record Case(String format, String cArguments) {
    }

    private static final List<Case> CASES = List.of(
            new Case("plain text", ""),
            new Case("%d %i %u", "-5, 42, 7u"),
            new Case("%d %u %x %X %o", "-1, -1, -1, 0xabcu, 8"),
            new Case("%hhd %hhu %hhx %hd %hu %hx", "300, 300, -1, 70000, -1, 0x12345"),
            new Case("%ld %lu %lx", "-3L, 4000000000UL, -1L"),
            new Case("%lld %llu %llx %llX", "-9000000000LL, 18446744073709551615ULL, 0x1122334455667788LL, 0xabcdefULL"),
            new Case("%zu %zd %zx %jd %ju %td", "(size_t)123, (ssize_t)-4, (size_t)255, (intmax_t)-7, (uintmax_t)8, (ptrdiff_t)-9"),
            new Case("[%5d] [%-5d] [%05d] [%+d] [% d] [%+d]", "42, 42, -42, 42, 42, -42"),
            new Case("[%.3d] [%8.3d] [%-8.3x] [%.0d] [%.0x] [%5.0d]", "7, -7, 0xa, 0, 0, 0"),
            new Case("[%#x] [%#X] [%#o] [%#x] [%#o] [%#10x] [%#010x]", "255, 255, 8, 0, 0, 255, 255"),
            new Case("[%*d] [%-*d] [%*d]", "6, 1, 6, 2, -6, 3"),
            new Case("[%.*d] [%.*d] [%*.*x]", "4, 5, -1, 9, 6, 3, 0xa"),
            new Case("[%c%c%c] [%3c] [%-3c]", "'a', 'b', 'c', 'x', 'y'"),
            new Case("[%s] [%10s] [%-10s] [%.2s] [%s]", "S1, S1, S1, S1, S2"),
            new Case("%p %p", "(void *)S1, (void *)0"),
            new Case("100%% %d%%", "5"),
            new Case("%s=%08x len=%u", "S1, 0xcbf43926u, 9u"),
            new Case("%d %d %d %d %d %d %d %d", "1, 2, 3, 4, 5, 6, 7, 8"),
            // At the caps: the widest field, the highest precision, the longest text.
            new Case("%*d", "4096, 7"),
            new Case("%-4096s", "S1"),
            new Case("%.4096x", "0xabcu"),
            new Case("%.*d|%4095c", "0, 0, 'z'"));

    @Test
    void printsWhatGlibcPrintsFromWhatTheGuestLibraryCollects(@TempDir Path dir) throws Exception {
        List<String> lines = runProbe(dir);
        Map<Long, String> strings = new HashMap<>();
        strings.put(Long.parseUnsignedLong(lines.get(0)), "hello");
        strings.put(Long.parseUnsignedLong(lines.get(1)), "wörld");
        assertThat(lines).hasSize(CASES.size() + 2);
        for (int i = 0; i < CASES.size(); i++) {
            String[] fields = lines.get(i + 2).split(" ", -1);
            String glibc = new String(HexFormat.of().parseHex(fields[0]), StandardCharsets.UTF_8);
            int argc = Integer.parseInt(fields[1]);
            long[] args = new long[argc];
            for (int a = 0; a < argc; a++) {
                args[a] = Long.parseUnsignedLong(fields[2 + a]);
            }
            String format = CASES.get(i).format();
            assertThat(GuestFormat.format(format, args, address -> strings.getOrDefault(address, "?")))
                    .as("format \"%s\" with %s", format, CASES.get(i).cArguments())
                    .isEqualTo(glibc);
        }
    }

    /** Prints the addresses of S1 and S2, then per case: glibc's output in hex, argc, the args. */
    private static List<String> runProbe(Path dir) throws IOException, InterruptedException {
        try (InputStream header = GuestFormatTest.class.getClassLoader()
                .getResourceAsStream(GuestLibrary.RESOURCE_DIRECTORY + GuestLibrary.C_HEADER)) {
            Files.write(dir.resolve(GuestLibrary.C_HEADER), header.readAllBytes());
        }
        StringBuilder calls = new StringBuilder();
        for (Case c : CASES) {
            calls.append("    show(\"").append(c.format()).append('"')
                    .append(c.cArguments().isEmpty() ? "" : ", " + c.cArguments()).append(");\n");
        }
        Files.writeString(dir.resolve("probe.c"), """
                #include <stdio.h>
                #include <sys/types.h>
                #include "junitkvm.h"
                static const char S1[] = "hello", S2[] = "wörld";
                static __attribute__((format(printf, 1, 2))) void show(const char *format, ...)
                {
                    char out[8192];
                    va_list a, b;
                    va_start(a, format);
                    va_copy(b, a);
                    vsnprintf(out, sizeof out, format, a);
                    struct junitkvm_report report;
                    junitkvm_take_args_(&report, format, b);
                    for (char *p = out; *p; p++)
                        printf("%02x", (unsigned char)*p);
                    printf(" %u", report.argc);
                    for (unsigned i = 0; i < report.argc; i++)
                        printf(" %llu", (unsigned long long)report.args[i]);
                    printf("\\n");
                    va_end(a);
                    va_end(b);
                }
                int main(void)
                {
                    printf("%llu\\n%llu\\n", (unsigned long long)(uintptr_t)S1, (unsigned long long)(uintptr_t)S2);
                """ + calls + """
                    return 0;
                }
                """, StandardCharsets.UTF_8);
        execute(dir, "gcc", "-Wall", "-Werror", "-Wno-format-zero-length", "-o", "probe", "probe.c");
        return List.of(execute(dir, "./probe").split("\n"));
    }

    private static String execute(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
        assertThat(process.exitValue()).as("%s failed (gcc and libc6-dev are needed):%n%s", List.of(command), output)
                .isZero();
        return output;
    }

    @Test
    void anArgumentTheGuestDidNotPassShowsAsMissing() {
        assertThat(GuestFormat.format("%d and %x", new long[] {1}, address -> "")).isEqualTo("1 and <missing>");
    }

    @Test
    void anArgumentPastAFullReportSaysHowManyAReportHolds() {
        assertThat(GuestFormat.format("%d%d%d%d%d%d%d%d %d", new long[] {1, 2, 3, 4, 5, 6, 7, 8}, address -> ""))
                .isEqualTo("12345678 <missing: a report holds at most 8 arguments>");
    }

    @Test
    void widthsAndPrecisionsFromTheGuestCountAsTheLongestTextAtMost() {
        String wide = " ".repeat(GuestFormat.MAX_LENGTH - 1) + "1";
        assertThat(GuestFormat.format("%*d", new long[] {Integer.MAX_VALUE, 1}, address -> "")).isEqualTo(wide);
        assertThat(GuestFormat.format("%*d", new long[] {0xffffffffL, 1}, address -> ""))
                .as("an int, as C takes it: -1 left-aligns one column").isEqualTo("1");
        assertThat(GuestFormat.format("%*d", new long[] {Integer.MIN_VALUE, 1}, address -> ""))
                .as("INT_MIN, whose magnitude is no int").isEqualTo("1" + " ".repeat(GuestFormat.MAX_LENGTH - 1));
        assertThat(GuestFormat.format("%99999999999999999999d", new long[] {1}, address -> "")).isEqualTo(wide);
        assertThat(GuestFormat.format("%.*d", new long[] {Integer.MAX_VALUE, 1}, address -> ""))
                .isEqualTo("0".repeat(GuestFormat.MAX_LENGTH - 1) + "1");
        assertThat(GuestFormat.format("%.2147483648s", new long[] {0x2000}, address -> "text")).isEqualTo("text");
    }

    @Test
    void theTextIsCutAfterTheLongestLength() {
        int longest = GuestFormat.MAX_LENGTH;
        assertThat(GuestFormat.format("x".repeat(longest), new long[0], address -> "")).isEqualTo("x".repeat(longest));
        assertThat(GuestFormat.format("x".repeat(longest + 1), new long[0], address -> ""))
                .isEqualTo("x".repeat(longest) + "...");
        assertThat(GuestFormat.format("%*d%d", new long[] {longest, 1, 2}, address -> ""))
                .isEqualTo(" ".repeat(longest - 1) + "1...");
        assertThat(GuestFormat.format("%s%s%s%s", new long[] {1, 2, 3, 4}, address -> "y".repeat(longest)))
                .isEqualTo("y".repeat(longest) + "...");
    }

    @Test
    void onlyAsciiDigitsAreAWidthAsInGlibc() {
        assertThat(GuestFormat.format("%\u0663d|%\uff19d", new long[] {1, 2}, address -> ""))
                .as("Arabic-Indic three, fullwidth nine: unknown conversions").isEqualTo("%\u0663d|%\uff19d");
    }

    @Test
    void anUnknownConversionAndTheRestAreCopiedAsTheyAre() {
        assertThat(GuestFormat.format("%d %f %d", new long[] {1, 2}, address -> ""))
                .as("the guest stops collecting at %f too").isEqualTo("1 %f %d");
        assertThat(GuestFormat.format("trailing %", new long[0], address -> "")).isEqualTo("trailing %");
        assertThat(GuestFormat.format("%lf", new long[] {1}, address -> "")).isEqualTo("%lf");
    }

    @Test
    void stringsComeFromTheReaderAndANullOneIsNull() {
        List<Long> asked = new ArrayList<>();
        assertThat(GuestFormat.format("%s|%s|%.3s", new long[] {0x2000, 0, 0x3000}, address -> {
            asked.add(address);
            return "text" + Long.toHexString(address);
        })).isEqualTo("text2000|(null)|tex");
        assertThat(asked).containsExactly(0x2000L, 0x3000L);
    }
}
