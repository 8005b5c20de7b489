package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import io.github.junitkvm.testsupport.FixtureRuns;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A guest that would run nothing meaningful fails its test instead of passing it: one with no code
 * for a {@code GuestRun} parameter to run, or with a stack pointer whose pushes would miss RAM (they
 * would be MMIO writes that vanish, and its pops would read all ones).
 */
class NoSilentPassTest {
    private static final String NO_CODE = "@KvmGuest(code, resource, asm): no code to run: none of them gives any"
            + " bytes, and a GuestRun parameter runs the guest before the method's body";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            noCode                  | io.github.junitkvm.GuestRun                          | NO_CODE
            blankCode               | io.github.junitkvm.GuestRun                          | NO_CODE
            noCodeButAVmAsWell      | io.github.junitkvm.KvmVm,io.github.junitkvm.GuestRun | NO_CODE
            stackAboveRam           | io.github.junitkvm.GuestRun                          | @KvmGuest(registers.rsp = 0x300000): the stack is outside guest RAM [0x0, 0x200000): a push writes below the stack pointer, from 0x2fffff down
            stackBelowRam           | io.github.junitkvm.KvmVm                             | @KvmGuest(registers.rsp = 0x1000): the stack is outside guest RAM [0x1000, 0x3000): a push writes below the stack pointer, from 0xfff down
            stackAtZeroInLongMode   | io.github.junitkvm.GuestRun                          | @KvmGuest(registers.rsp = 0x0): the stack is outside guest RAM [0x0, 0x200000): a push writes below the stack pointer, from 0xffffffffffffffff down
            stackBeyondSpInRealMode | io.github.junitkvm.GuestRun                          | @KvmGuest(registers.rsp = 0x10000): the stack pointer is not below 0x10000: REAL mode starts with SS = 0
            """)
    void failsTheTestNamingTheFault(String method, String parameterTypes, String message) {
        Throwable failure = FixtureRuns.failureOf(Fixture.class, method, parameterTypes);

        assertThat(failure).hasMessageStartingWith(message.equals("NO_CODE") ? NO_CODE : message);
    }

    @Test
    @KvmGuest
    void aTestWritingItsOwnCodeNeedsNone(KvmVm vm) {
        vm.memory().writeByte(0x1000, 0xf4);  // hlt

        assertThat(vm.run()).haltedNormally();
    }

    /** A {@code @BeforeEach} method with the VM may write the code the test's {@code GuestRun} runs. */
    @Nested
    @KvmGuest
    class CodeWrittenBeforeEach {
        @BeforeEach
        void writeCode(KvmVm vm) {
            vm.memory().write(0x1000, (byte) 0xb0, (byte) 0x2a, (byte) 0xf4);  // mov al,42; hlt
        }

        @Test
        void runsIt(GuestRun run) {
            assertThat(run).haltedNormally().registers().hasRax(42);
        }
    }

    /** The page tables go to the top of the first region, which has room for them; the stack to the second's. */
    @Test
    @KvmGuest(mode = CpuMode.LONG, memory = {@Memory(size = 0x200000), @Memory(guestAddress = 0x400000, size = 0x1000)},
              code = "6a 2a 58 f4", registers = @Registers(rsp = 0x401000))  // push 42; pop rax; hlt
    void aStackAtTheEndOfRamIsTheUsualTop(GuestRun run) {
        assertThat(run).haltedNormally().registers().hasRax(42).hasRsp(0x401000);
        assertThat(run).memoryAt(0x400ff8, 8).containsExactly(42, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    @KvmGuest(code = "6a 2a 58 f4", registers = @Registers(rsp = 0))  // push 42; pop ax; hlt
    void aRealModeStackAtZeroPushesAtTheTopOfTheFirst64KiB(GuestRun run) {
        assertThat(run).haltedNormally().registers().hasRax(42).hasRsp(0);
        assertThat(run).memoryAt(0xfffe, 2).containsExactly(42, 0);
    }

    /** Run by {@link #failsTheTestNamingTheFault} only, one method at a time. */
    @Tag("fixture")
    static class Fixture {
        @Test
        @KvmGuest
        void noCode(GuestRun run) {
        }

        @Test
        @KvmGuest(code = " ")
        void blankCode(GuestRun run) {
        }

        @Test
        @KvmGuest
        void noCodeButAVmAsWell(KvmVm vm, GuestRun run) {
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, code = "f4", registers = @Registers(rsp = 0x300000))
        void stackAboveRam(GuestRun run) {
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, memory = @Memory(guestAddress = 0x1000, size = 0x2000), code = "f4",
                  registers = @Registers(rsp = 0x1000))
        void stackBelowRam(KvmVm vm) {
        }

        @Test
        @KvmGuest(mode = CpuMode.LONG, code = "f4", registers = @Registers(rsp = 0))
        void stackAtZeroInLongMode(GuestRun run) {
        }

        @Test
        @KvmGuest(code = "f4", registers = @Registers(rsp = 0x10000))
        void stackBeyondSpInRealMode(GuestRun run) {
        }
    }
}
