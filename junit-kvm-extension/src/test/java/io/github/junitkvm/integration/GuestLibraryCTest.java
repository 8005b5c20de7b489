package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestLibrary;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.FixtureRuns;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.AssertionFailedError;

/**
 * The guest library's C header in a real C guest ({@code src/test/c/reports.c}, built by Maven
 * with gcc as a 32- and a 64-bit freestanding ELF): logs formatted on the host by the guest's own
 * types, {@code KVM_DONE}, and failed assertions that fail the test with the file, the line, the
 * expression and the values.
 */
class GuestLibraryCTest {
    /** {@code struct job} of reports.c: the scenario, then a value it uses. */
    private static final long JOB = 0x8000;

    @Nested
    @KvmGuest(mode = CpuMode.PROTECTED, resource = "/guests/reports-32.elf")
    class ThirtyTwoBitBuild extends Scenarios {
        ThirtyTwoBitBuild() {
            super(Fixture32.class, "ffffffff", 4);
        }
    }

    @Nested
    @KvmGuest(mode = CpuMode.LONG, resource = "/guests/reports-64.elf")
    class SixtyFourBitBuild extends Scenarios {
        SixtyFourBitBuild() {
            super(Fixture64.class, "ffffffffffffffff", 8);
        }
    }

    /** The same scenarios for each build; the builds differ in the size of {@code long}. */
    abstract static class Scenarios {
        private final Class<?> fixture;
        private final String minusOneAsLong;
        private final int longSize;

        Scenarios(Class<?> fixture, String minusOneAsLong, int longSize) {
            this.fixture = fixture;
            this.minusOneAsLong = minusOneAsLong;
            this.longSize = longSize;
        }

        @Test
        void logsAreFormattedOnTheHostByTheGuestsTypesAndDoneEndsTheRun(KvmVm vm) {
            GuestRun run = run(vm, 0, 7);

            assertThat(run).reportedDone().stoppedWith(ExitReason.GUEST_DONE);
            assertThat(run).guestLog().containsExactly(
                    "hello wörld, -5 4000000000 0xff k%",
                    "long -2 " + minusOneAsLong + ", long long -3 1122334455667788, size " + longSize
                            + ", pointer 0x8000",
                    "padded [    7] [ab  ] [     abc]");
            assertThat(run.exits()).extracting(VmExit::reason).containsExactly(ExitReason.IO_OUT, ExitReason.IO_OUT,
                    ExitReason.IO_OUT, ExitReason.GUEST_DONE);
            assertThat(run.exits()).allMatch(exit -> exit.port() == GuestLibrary.PORT);
        }

        @Test
        void aGuestThatLogsAndReturnsHalts(KvmVm vm) {
            GuestRun run = run(vm, 5, 200);

            assertThat(run).haltedNormally();
            assertThat(run).guestLog().containsExactlyElementsOf(
                    IntStream.range(0, 200).mapToObj(i -> "line " + i).toList());
            assertThat(run.guestReportedDone()).isFalse();
        }

        @Test
        void argumentsPastTheEightAReportHoldsShowTheLimit(KvmVm vm) {
            GuestRun run = run(vm, 6, 0);

            assertThat(run).reportedDone();
            assertThat(run).guestLog().containsExactly("1 2 3 4 5 6 7 8 <missing: a report holds at most 8 arguments>");
        }

        @Test
        void aFailedIntEqualityShowsFileLineAndBothValuesSigned() {
            assertThat(failureOf(fixture, "intEquality")).hasMessageStartingWith(String.format("""
                    guest assertion failed at reports.c:%d: KVM_ASSERT_EQ(actual, 42)
                      actual = 0xffffffff (-1)
                      42     = 0x2a (42)
                    guest run on""", line("KVM_ASSERT_EQ(actual, 42)")));
            assertThat(Fixture.secondRun).as("a guest run again after the failure").isEqualTo(ExitReason.HLT);
        }

        @Test
        void aFailedSixtyFourBitEqualityShowsAllSixtyFourBits() {
            assertThat(failureOf(fixture, "u64Equality")).hasMessageStartingWith(String.format("""
                    guest assertion failed at reports.c:%d: KVM_ASSERT_EQ(big, 0x123456789abcdef0ULL)
                      big                   = 0x123456789abcdef1 (1311768467463790321)
                      0x123456789abcdef0ULL = 0x123456789abcdef0 (1311768467463790320)
                    """, line("KVM_ASSERT_EQ(big,")));
        }

        @Test
        void aFailedConditionShowsItsMessage() {
            assertThat(failureOf(fixture, "conditionWithMessage")).hasMessageStartingWith(String.format("""
                    guest assertion failed at reports.c:%d: KVM_ASSERT(value < 10)
                      value 12 is not below 10
                    """, line("KVM_ASSERT_MSG(value < 10")));
        }

        @Test
        void kvmFailShowsItsMessage() {
            assertThat(failureOf(fixture, "kvmFail")).hasMessageStartingWith(String.format("""
                    guest assertion failed at reports.c:%d: KVM_FAIL
                      scenario four
                    """, line("KVM_FAIL(\"scenario %s\"")));
        }
    }

    static GuestRun run(KvmVm vm, int scenario, int value) {
        vm.memory().writeInt(JOB, scenario);
        vm.memory().writeInt(JOB + 4, value);
        return vm.run();
    }

    private static AssertionFailedError failureOf(Class<?> fixture, String method) {
        Throwable failure = FixtureRuns.failureOf(fixture, method, KvmVm.class.getName());
        assertThat(failure).isExactlyInstanceOf(AssertionFailedError.class);
        return (AssertionFailedError) failure;
    }

    /** @return the number of the line of reports.c (a copy next to the ELF files) holding the text */
    private static int line(String text) {
        try (InputStream in = GuestLibraryCTest.class.getResourceAsStream("/guests/reports.c")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            int index = IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains(text)).findFirst()
                    .orElseThrow(() -> new AssertionError("reports.c has no line with " + text));
            return index + 1;
        } catch (IOException e) {
            throw new AssertionError("cannot read /guests/reports.c", e);
        }
    }

    /** Runs the failing scenarios; the guest's failure fails each test after its body. */
    abstract static class Fixture {
        static volatile ExitReason secondRun;

        @Test
        void intEquality(KvmVm vm) {
            secondRun = null;
            run(vm, 1, -1);
            secondRun = vm.run().lastExit().reason();
        }

        @Test
        void u64Equality(KvmVm vm) {
            run(vm, 2, 1);
        }

        @Test
        void conditionWithMessage(KvmVm vm) {
            run(vm, 3, 12);
        }

        @Test
        void kvmFail(KvmVm vm) {
            run(vm, 4, 0);
        }
    }

    /** The fixture on the 32-bit build; run through EngineTestKit only. */
    @Tag("fixture")
    @KvmGuest(mode = CpuMode.PROTECTED, resource = "/guests/reports-32.elf")
    static class Fixture32 extends Fixture {
    }

    /** The fixture on the 64-bit build; run through EngineTestKit only. */
    @Tag("fixture")
    @KvmGuest(mode = CpuMode.LONG, resource = "/guests/reports-64.elf")
    static class Fixture64 extends Fixture {
    }
}
