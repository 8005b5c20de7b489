package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestAssertion;
import io.github.junitkvm.GuestLibrary;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.FixtureRuns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.AssertionFailedError;

/**
 * The guest library's GNU as macros ({@code .include "junitkvm.inc"}) in {@code @KvmGuest(asm)}
 * sources, in each code size: logs that leave every register as it was, {@code KVM_DONE}, and
 * failed assertions that fail the test with the operands' values.
 */
class GuestLibraryAsmTest {
    private static final int PORT = GuestLibrary.PORT;

    @Test
    @KvmGuest(asm = """
                    .include "junitkvm.inc"
                    mov $0x1234, %ax
                    mov $0xfffe, %bx
                    mov $text, %si
                    KVM_LOG "ax=%x bx=%hd %s!", %ax, %bx, %si
                    KVM_ASSERT_EQ %ax, $0x1234
                    cmp $0x1234, %ax
                    KVM_ASSERT e
                    KVM_DONE
            text:   .asciz "from real mode"
            """)
    void realModeLogsAndReportsDone(GuestRun run) {
        assertThat(run).reportedDone().stoppedWith(ExitReason.GUEST_DONE);
        assertThat(run).guestLog().containsExactly("ax=1234 bx=-2 from real mode!");
        assertThat(run.guestReportedDone()).isTrue();
        assertThat(run.guestAssertionFailure()).isEmpty();
        assertThat(run.lastExit()).isEqualTo(VmExit.guestDone());
        assertThat(run.exits()).extracting(VmExit::reason, VmExit::port, VmExit::size)
                .containsExactly(tuple(ExitReason.IO_OUT, PORT, 4), tuple(ExitReason.GUEST_DONE, PORT, 0));
        assertThat(run.exits().get(0).toString()).endsWith("(KVM_LOG \"ax=1234 bx=-2 from real mode!\")");
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    .include "junitkvm.inc"
                    mov $-5, %eax
                    mov $0x12345678, %edx
                    cmp %eax, %edx              # flags the log must keep
                    KVM_LOG "eax=%d edx=%#x", %eax, %edx
                    KVM_LOG "second line\\n"
                    hlt
            """)
    void protectedModeLogsKeepEveryRegisterAndFlag(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).guestLog().containsExactly("eax=-5 edx=0x12345678", "second line");
        assertThat(run).registers().hasRax(0xfffffffbL).hasRdx(0x12345678);
        assertThat(run.registers().rflags() & 0x8d5).as("flags of cmp").isEqualTo(flagsOfCompare(0x12345678, -5));
        assertThat(run.guestReportedDone()).isFalse();
    }

    private static long flagsOfCompare(int a, int b) {
        int result = a - b;
        long flags = 0;
        flags |= Integer.compareUnsigned(a, b) < 0 ? 0x1 : 0;           // CF
        flags |= Integer.bitCount(result & 0xff) % 2 == 0 ? 0x4 : 0;     // PF
        flags |= ((a ^ b ^ result) & 0x10) != 0 ? 0x10 : 0;             // AF
        flags |= result == 0 ? 0x40 : 0;                                 // ZF
        flags |= result < 0 ? 0x80 : 0;                                  // SF
        flags |= (((a ^ b) & (a ^ result)) < 0) ? 0x800 : 0;             // OF
        return flags;
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    .include "junitkvm.inc"
                    movabs $0x1122334455667788, %rax
                    movabs $0x8877665544332211, %rdx
                    mov $-1, %rbx
                    KVM_LOG "rax=%lx rdx=%llx rbx=%ld ebx=%u", %rax, %rdx, %rbx, %ebx
                    KVM_DONE
            """)
    void longModeLogsSixtyFourBitRegisters(GuestRun run) {
        assertThat(run).reportedDone();
        assertThat(run).guestLog().containsExactly("rax=1122334455667788 rdx=8877665544332211 rbx=-1 ebx=4294967295");
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    .include "junitkvm.inc"
                    movabs $0x1122334455667788, %rax
                    movabs $0x8877665544332211, %rdx
                    KVM_LOG "x"
                    hlt
            """)
    void longModeLogsKeepTheWholeRegisters(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRax(0x1122334455667788L).hasRdx(0x8877665544332211L);
    }

    @Test
    @KvmGuest(asm = """
                    .include "junitkvm.inc"
                    mov $0x3f8, %dx
            loop:   KVM_LOG "line %d", %cx
                    mov $'.', %al
                    out %al, %dx
                    inc %cx
                    cmp $50, %cx
                    jne loop
                    hlt
            """)
    void manyLogLinesInterleaveWithOtherExits(GuestRun run) {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            expected.add("line " + i);
        }
        assertThat(run).haltedNormally().hasSerialOutput(".".repeat(50));
        assertThat(run).guestLog().containsExactlyElementsOf(expected);
        assertThat(run.exits()).hasSize(101);
        assertThat(run.exits().get(0).port()).isEqualTo(PORT);
        assertThat(run.exits().get(1)).isEqualTo(VmExit.ioOut(0x3f8, '.'));
    }

    @Test
    @KvmGuest(asm = """
                    .include "junitkvm.inc"
                    KVM_LOG "not read"
                    hlt
            """)
    void aHandlerOnTheReportPortTakesPrecedence(KvmVm vm) {
        List<Long> written = new ArrayList<>();
        vm.onPortOut(PORT, (port, size, value) -> written.add(value));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run.guestLog()).isEmpty();
        assertThat(written).hasSize(1);
        assertThat(run).exits().containsExactly(VmExit.ioOut(PORT, 4, written.get(0)), VmExit.hlt());
    }

    // ---- failures, run through EngineTestKit ----

    @Test
    void aFailedAssertEqFailsTheTestWithTheOperandsValues() {
        AssertionFailedError failure = failureOf("assertEqFails", GuestRun.class);

        assertThat(failure.getMessage()).startsWith("""
                guest assertion failed: KVM_ASSERT_EQ(%eax, $0x1234)
                  %eax    = 0x4321 (17185)
                  $0x1234 = 0x1234 (4660)
                guest run on""")
                .contains("guest log:\n  before the check\n")
                .contains("stopped by GUEST_ASSERTION_FAILED (KVM_ASSERT_EQ(%eax, $0x1234): %eax = 0x4321 (17185)");
        assertThat(Fixture.bodyRan).as("the test body ran").isFalse();
    }

    @Test
    void aFailedConditionAndKvmFailShowWhatFailed() {
        assertThat(failureOf("assertConditionFails", GuestRun.class))
                .hasMessageStartingWith("guest assertion failed: KVM_ASSERT(nz)\n");
        assertThat(failureOf("kvmFail", GuestRun.class))
                .hasMessageStartingWith("guest assertion failed: KVM_FAIL\n  the table is empty\n");
    }

    @Test
    void aReportTheHostCannotReadFailsTheTestSayingWhy() {
        assertThat(failureOf("reportOutsideRam", GuestRun.class)).hasMessageStartingWith(
                "guest assertion failed: the guest reported on port 0x4a4b a report at 0x300000 that is not in"
                        + " guest RAM: cannot read 128 bytes at guest address 0x300000");
        assertThat(failureOf("notAReport", GuestRun.class)).hasMessageStartingWith(
                "guest assertion failed: the guest reported on port 0x4a4b a report at 0x2000 that is not one:"
                        + " magic 0x00000000 (expected 0x4d564b4a)");
        assertThat(failureOf("byteWrite", GuestRun.class)).hasMessageStartingWith(
                "guest assertion failed: the guest wrote 0x7 to the report port 0x4a4b with a 1-byte OUT");
    }

    @Test
    void aRunTheBodyMakesFailsTheTestAfterTheBodyWithItsFailureSuppressed() {
        AssertionFailedError failure = failureOf("bodyRunsTheFailingGuest", KvmVm.class);

        assertThat(failure).hasMessageStartingWith("guest assertion failed: KVM_ASSERT_EQ(%eax, $0x1234)");
        assertThat(failure.getSuppressed()).singleElement().satisfies(suppressed ->
                assertThat(suppressed).hasMessageContaining("Expecting the guest to stop with"));
    }

    @Test
    void aBodyThatPassesStillFailsWhenItsRunHadAFailedGuestAssertion() {
        assertThat(failureOf("bodyIgnoresTheFailure", KvmVm.class))
                .hasMessageStartingWith("guest assertion failed: KVM_ASSERT_EQ(%eax, $0x1234)");
    }

    private static AssertionFailedError failureOf(String method, Class<?> parameter) {
        Fixture.bodyRan = false;
        Throwable failure = FixtureRuns.failureOf(Fixture.class, method, parameter.getName());
        assertThat(failure).isExactlyInstanceOf(AssertionFailedError.class);
        return (AssertionFailedError) failure;
    }

    /** Run by the tests above only, one method at a time. */
    @Tag("fixture")
    static class Fixture {
        static volatile boolean bodyRan;

        private static final String FAILING_EQ = """
                    .include "junitkvm.inc"
                    KVM_LOG "before the check"
                    mov $0x4321, %eax
                    KVM_ASSERT_EQ %eax, $0x1234
                    hlt
                """;

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, asm = FAILING_EQ)
        void assertEqFails(GuestRun run) {
            bodyRan = true;
        }

        @Test
        @KvmGuest(asm = """
                    .include "junitkvm.inc"
                    xor %ax, %ax
                    KVM_ASSERT nz
                    hlt
                """)
        void assertConditionFails(GuestRun run) {
            bodyRan = true;
        }

        @Test
        @KvmGuest(mode = CpuMode.LONG, asm = """
                    .include "junitkvm.inc"
                    KVM_FAIL "the table is empty"
                """)
        void kvmFail(GuestRun run) {
            bodyRan = true;
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $0x300000, %eax
                    mov $0x4a4b, %dx
                    out %eax, %dx
                    hlt
                """)
        void reportOutsideRam(GuestRun run) {
            bodyRan = true;
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $0x2000, %eax
                    mov $0x4a4b, %dx
                    out %eax, %dx
                    hlt
                """)
        void notAReport(GuestRun run) {
            bodyRan = true;
        }

        @Test
        @KvmGuest(asm = """
                    mov $7, %al
                    mov $0x4a4b, %dx
                    out %al, %dx
                    hlt
                """)
        void byteWrite(GuestRun run) {
            bodyRan = true;
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, asm = FAILING_EQ)
        void bodyRunsTheFailingGuest(KvmVm vm) {
            GuestRun run = vm.run();
            assertThat(run.guestAssertionFailure()).map(GuestAssertion::line).contains(0);
            assertThat(run).haltedNormally();
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, asm = FAILING_EQ)
        void bodyIgnoresTheFailure(KvmVm vm) {
            vm.run();
        }
    }
}
