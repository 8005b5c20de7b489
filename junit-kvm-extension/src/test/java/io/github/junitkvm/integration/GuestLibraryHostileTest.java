package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestLibrary;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.FixtureRuns;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Guests that abuse the guest library's protocol: widths that would fill the heap, floods of long
 * log lines, control characters that would forge lines in the build log, too many arguments,
 * pointers outside RAM. Each run ends normally, keeps what its limits allow and says what it left
 * out; the guest library's bounds are in the guide's "Limits on hostile input" (docs/robustness.md).
 */
class GuestLibraryHostileTest {
    /** The longest formatted message, and the widest field, of the guest library. */
    private static final int LONGEST = 4096;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    .include "junitkvm.inc"
                    mov $0x7fffffff, %eax       # INT_MAX
                    mov $0x80000000, %ebx       # INT_MIN: left-aligned, 2^31 wide
                    mov $1, %ecx
                    KVM_LOG "%*d", %eax, %ecx
                    KVM_LOG "%*d", %ebx, %ecx
                    KVM_LOG "%.*x", %eax, %ecx
                    KVM_LOG "%2147483647d|", %ecx
                    KVM_DONE
            """)
    void widthsAndPrecisionsFromTheGuestAreCapped(GuestRun run) {
        assertThat(run).reportedDone();
        assertThat(run).guestLog().containsExactly(
                " ".repeat(LONGEST - 1) + "1",
                "1" + " ".repeat(LONGEST - 1),
                "0".repeat(LONGEST - 1) + "1",
                " ".repeat(LONGEST - 1) + "1...");
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, maxRecordedOutput = 10_000, asm = """
                    .include "junitkvm.inc"
                    mov $100, %ecx
                    mov $text, %esi
            next:   KVM_LOG "%s", %esi
                    dec %ecx
                    jnz next
                    hlt
            text:   .fill 1000, 1, 0x78
                    .byte 0
            """)
    void theGuestLogKeepsLinesUpToMaxRecordedOutputCharactersAndCountsTheRest(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).guestLog().hasSize(10).allMatch(line -> line.equals("x".repeat(1000)));
        assertThat(run.droppedGuestLogLines()).isEqualTo(90);
        assertThat(run.exits()).hasSize(101).first().satisfies(exit ->
                assertThat(exit.detail()).isEqualTo("KVM_LOG \"" + "x".repeat(100) + "...\""));
        assertThat(run.exits().subList(10, 100)).allSatisfy(exit -> {
            assertThat(exit).isEqualTo(VmExit.ioOut(GuestLibrary.PORT, 4, run.exits().get(0).value()));
            assertThat(exit.detail()).isEqualTo("KVM_LOG, line not recorded");
        });
        assertThat(run.toString()).contains("90 later lines not recorded");
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    .include "junitkvm.inc"
                    mov $300, %ecx
                    mov $text, %esi
            next:   KVM_LOG "%s", %esi
                    dec %ecx
                    jnz next
                    hlt
            text:   .fill 4096, 1, 0x78
                    .byte 0
            """)
    void byDefaultTheGuestLogKeepsAMebibyteOfText(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).guestLog().hasSize((1 << 20) / LONGEST);
        assertThat(run.droppedGuestLogLines()).isEqualTo(300 - (1 << 20) / LONGEST);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, memory = {@Memory(size = 0x200000),
            @Memory(guestAddress = 0x300000, size = 0x1000, readOnly = true)}, asm = """
                    mov $report, %eax
                    mov $0x4a4b, %dx
                    out %eax, %dx
                    jmp 1f
            1:      hlt
                    .balign 8
            report: .long 0x4d564b4a
                    .byte 1, 3, 0, 0
                    .fill 6, 8, 0
                    .quad format, 0xffff800000000000, 0x300ffc, 0x7fffffffffffffff
                    .fill 5, 8, 0
            format: .asciz "%s|%s|%s"
            """)
    void stringsOutsideRamOrAtItsEndAreReadSafely(KvmVm vm) {
        // The last bytes of RAM, with no NUL after them.
        vm.memory().write(0x300ffc, "AAAA".getBytes(StandardCharsets.US_ASCII));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).guestLog().containsExactly(
                "<bad pointer 0xffff800000000000>|AAAA...|<bad pointer 0x7fffffffffffffff>");
    }

    // ---- failures, run through EngineTestKit ----

    @Test
    void controlCharactersFromTheGuestAreEscapedInTheFailureMessage() {
        String message = failureOf("controlCharacters").getMessage();

        assertThat(message).startsWith("guest assertion failed: KVM_FAIL\n"
                        + "  fail\\x1b[31m\\r\\n[INFO] BUILD SUCCESS\\t\\u202e\n")
                .contains("guest log:\n  log\\x1b[2K\\r[INFO] forged\\nnext\\x7f\\x85\\u2028\\u2029\\u2066\n")
                .contains("(KVM_LOG \"log\\x1b[2K\\r[INFO] forged\\nnext");
        assertForgesNothing(message);
    }

    @Test
    void controlCharactersInTheFileAndTheExpressionAreEscaped() {
        String message = failureOf("controlCharactersInFileAndExpression").getMessage();

        assertThat(message).startsWith(
                "guest assertion failed at a.c\\n[ERROR] forged:7: KVM_ASSERT(x\\r\\x1b[K)\nguest run on");
        assertForgesNothing(message);
    }

    private static void assertForgesNothing(String message) {
        assertThat(message).doesNotContain("\u001b", "\r", "\u007f", "\u0085", "\u2028", "\u2029", "\u202e",
                "\u2066");
        assertThat(message.lines()).noneMatch(line -> line.startsWith("[INFO]") || line.startsWith("[ERROR]"));
    }

    @Test
    void aReportWithMoreArgumentsThanTheProtocolAllowsSaysTheLimit() {
        assertThat(failureOf("nineArguments")).hasMessageStartingWith(
                "guest assertion failed: the guest reported on port 0x4a4b a report at 0x")
                .hasMessageContaining("9 arguments, more than the 8 a report holds");
    }

    private static AssertionFailedError failureOf(String method) {
        Throwable failure = FixtureRuns.failureOf(Fixture.class, method, GuestRun.class.getName());
        assertThat(failure).isExactlyInstanceOf(AssertionFailedError.class);
        return (AssertionFailedError) failure;
    }

    /** Run by the tests above only, one method at a time. */
    @Tag("fixture")
    static class Fixture {
        /**
         * ESC, CR, LF, TAB, DEL, NEL (U+0085), the line and paragraph separators, the right-to-left
         * override (U+202E) and a bidi isolate (U+2066), in UTF-8 as a C guest would write them.
         */
        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    .include "junitkvm.inc"
                    KVM_LOG "log\\033[2K\\r[INFO] forged\\nnext\\177\\302\\205\\342\\200\\250\\342\\200\\251\\342\\201\\246"
                    KVM_FAIL "fail\\033[31m\\r\\n[INFO] BUILD SUCCESS\\t\\342\\200\\256"
                """)
        void controlCharacters(GuestRun run) {
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $report, %eax
                    mov $0x4a4b, %dx
                    out %eax, %dx
                    jmp 1f
            1:      hlt
                    .balign 8
            report: .long 0x4d564b4a
                    .byte 2, 0, 0, 0
                    .long file, 0, 7, 0, expression, 0
                    .fill 12, 8, 0
            file:   .asciz "a.c\\n[ERROR] forged"
            expression: .asciz "x\\r\\033[K"
                """)
        void controlCharactersInFileAndExpression(GuestRun run) {
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $report, %eax
                    mov $0x4a4b, %dx
                    out %eax, %dx
                    jmp 1f
            1:      hlt
                    .balign 8
            report: .long 0x4d564b4a
                    .byte 1, 9, 0, 0
                    .fill 15, 8, 0
                """)
        void nineArguments(GuestRun run) {
        }
    }
}
