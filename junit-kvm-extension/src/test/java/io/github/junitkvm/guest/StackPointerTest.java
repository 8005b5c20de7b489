package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.RamRegion;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StackPointerTest {
    /** 64 KiB at 0, a gap, then a ROM page at 0x20000 and RAM up to 0x200000. */
    private static final RamLayout RAM = new RamLayout(List.of(new RamRegion(0, 0x10000, false),
            new RamRegion(0x20000, 0x1000, true), new RamRegion(0x21000, 0x1df000, false)));

    @ParameterizedTest(name = "{0} rsp = {1}")
    @CsvSource(textBlock = """
            REAL,      0x0
            REAL,      0xfff0
            REAL,      0xffff
            PROTECTED, 0x200000
            PROTECTED, 0x10000
            PROTECTED, 0x20001
            PAGED,     0x1000
            LONG,      0x200000
            LONG,      0x21000
            """)
    void takesAStackWhoseFirstPushLandsInRamReadOnlyOrNot(CpuMode mode, String rsp) {
        assertThat(StackPointer.problem(mode, value(rsp), RAM)).isEmpty();
    }

    @ParameterizedTest(name = "{0} rsp = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            REAL      | 0x10000            | not below 0x10000: REAL mode starts with SS = 0 and pushes at SP, which has 16 bits
            REAL      | 0x11000            | not below 0x10000
            REAL      | 0x20000            | not below 0x10000
            PROTECTED | 0x100000000        | not below 4 GiB: PROTECTED mode has 32-bit addresses
            PAGED     | 0x100000000        | not below 4 GiB: PAGED mode has 32-bit addresses
            PROTECTED | 0x0                | from 0xffffffff down
            PROTECTED | 0x10001            | from 0x10000 down
            PROTECTED | 0x200001           | from 0x200000 down
            PAGED     | 0xfffff000         | from 0xffffefff down
            LONG      | 0x0                | from 0xffffffffffffffff down
            LONG      | 0x100000000        | from 0xffffffff down
            LONG      | 0x8000000000000000 | from 0x7fffffffffffffff down
            """)
    void refusesAStackTheModeCannotUseOrWhoseFirstPushMissesRam(CpuMode mode, String rsp, String problem) {
        assertThat(StackPointer.problem(mode, value(rsp), RAM)).hasValueSatisfying(text -> {
            assertThat(text).contains(problem);
            if (text.startsWith("the stack is outside")) {
                assertThat(text).startsWith("the stack is outside guest RAM [0x0, 0x10000), [0x20000, 0x21000) read-only,"
                        + " [0x21000, 0x200000): a push writes below the stack pointer, from 0x");
            }
        });
    }

    private static long value(String hex) {
        return Long.parseUnsignedLong(hex.substring("0x".length()), 16);
    }
}
