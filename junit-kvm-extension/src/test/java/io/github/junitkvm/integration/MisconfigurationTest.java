package io.github.junitkvm.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import io.github.junitkvm.testsupport.FixtureRuns;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/** A guest that cannot be honoured fails its test — never skips it — with a message naming the fault. */
class MisconfigurationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            badHex           | @KvmGuest(code = "ba f8 zz"): not valid hex
            overlapping      | @KvmGuest(memory[1]): [0x1000, 0x2000) overlaps memory[0] [0x0, 0x2000)
            unaligned        | @KvmGuest(memory[0].guestAddress = 0x1001): not a page-aligned (4096) address
            notPageMultiple  | @KvmGuest(memory[0].size = 0x1800): not a positive multiple of 4096
            doesNotFit       | @KvmGuest(code): 3 bytes at loadAddress 0x1fff do not fit in RAM region [0x1000, 0x2000)
            loadOutsideRam   | @KvmGuest(loadAddress = 0x5000): outside guest RAM [0x1000, 0x2000)
            twoSources       | @KvmGuest(code, asm): set together
            missingResource  | @KvmGuest(resource = "nowhere.bin"): no such classpath resource
            readOutsideRam   | cannot read 16 bytes at guest address 0x3000: not inside guest RAM [0x1000, 0x2000)
            negativeLength   | cannot read a negative length -1 at guest address 0x1000
            injectedInBeforeAll | KvmVm cannot be injected into
            noRoomForPageTables | @KvmGuest(mode = LONG): no room for the page tables and the GDT (28672 bytes)
            moreRamThanTheHost  | @KvmGuest(memory[0]): it brings the guest's RAM to 1073741824 MiB, more than the
            ramPastPhysicalAddresses | @KvmGuest(memory[1]): 0x10000000000000 with size 0x1000 runs past the end of the guest physical address space
            reservedFlag        | @KvmGuest(registers.rflags = 0x8): reserved bits 0x8 set: RFLAGS bits 3, 5, 15 and 22 to 63 are 0
            """)
    void failsTheTestNamingTheFault(String method, String message) {
        boolean beforeAll = method.equals("injectedInBeforeAll");
        Throwable failure = FixtureRuns.failureOf(beforeAll ? BeforeAllFixture.class : Fixture.class, method,
                beforeAll ? "" : KvmVm.class.getName());
        assertThat(failure).hasMessageContaining(message);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            junitkvm.reuseVms    | maybe
            junitkvm.reuseVms    | 1
            junitkvm.report.runs | yes
            """)
    void aSwitchSetToNeitherTrueNorFalseFailsTheTestInsteadOfStayingOff(String parameter, String value) {
        Throwable failure = FixtureRuns.failureOf(Fixture.class, "halts", KvmVm.class.getName(),
                Map.of(parameter, value));

        assertThat(failure).hasMessage(parameter + "=" + value + " is neither true nor false");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            junitkvm.reuseVms    | ' TRUE '
            junitkvm.report.runs | False
            """)
    void aSwitchIsReadInAnyCase(String parameter, String value) {
        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junitkvm.backend", System.getProperty("junitkvm.backend", "auto"))
                .configurationParameter(parameter, value)
                .selectors(selectMethod(Fixture.class, "halts", KvmVm.class.getName()))
                .execute().testEvents()
                .assertStatistics(stats -> stats.started(1).succeeded(1));
    }

    /** Run by {@link #failsTheTestNamingTheFault} only, one method at a time. */
    @Tag("fixture")
    static class Fixture {
        @Test
        @KvmGuest(code = "f4")
        void halts(KvmVm vm) {
            vm.run();
        }

        @Test
        @KvmGuest(code = "ba f8 zz")
        void badHex(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = {@Memory(size = 0x2000), @Memory(guestAddress = 0x1000, size = 0x1000)})
        void overlapping(KvmVm vm) {
        }

        @Test
        @KvmGuest(mode = CpuMode.LONG, memory = @Memory(guestAddress = 0x1000, size = 0x4000), code = "f4")
        void noRoomForPageTables(KvmVm vm) {
        }

        @Test
        @KvmGuest(code = "f4", registers = @Registers(rflags = 0x8))
        void reservedFlag(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = @Memory(size = 1L << 50), code = "f4")
        void moreRamThanTheHost(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = {@Memory(size = 0x200000), @Memory(guestAddress = 1L << 52, size = 0x1000)}, code = "f4")
        void ramPastPhysicalAddresses(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = @Memory(guestAddress = 0x1001, size = 0x1000))
        void unaligned(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = @Memory(size = 0x1800))
        void notPageMultiple(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), code = "90 90 f4", loadAddress = 0x1fff)
        void doesNotFit(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), loadAddress = 0x5000)
        void loadOutsideRam(KvmVm vm) {
        }

        @Test
        @KvmGuest(code = "f4", asm = "hlt")
        void twoSources(KvmVm vm) {
        }

        @Test
        @KvmGuest(resource = "nowhere.bin")
        void missingResource(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000))
        void readOutsideRam(KvmVm vm) {
            vm.memory().read(0x3000, 16);
        }

        @Test
        @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000))
        void negativeLength(KvmVm vm) {
            vm.memory().read(0x1000, -1);
        }
    }

    /** A VM belongs to one test, so a {@code @BeforeAll} method cannot have one. */
    @Tag("fixture")
    @KvmGuest
    static class BeforeAllFixture {
        @BeforeAll
        static void tooEarly(KvmVm vm) {
        }

        @Test
        void injectedInBeforeAll() {
        }
    }
}
