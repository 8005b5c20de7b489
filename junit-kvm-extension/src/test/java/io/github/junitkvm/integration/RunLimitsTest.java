package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.testsupport.DisabledOnPvm;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Guests that never halt are stopped, in every mode: at their time limit, or by JUnit's own {@code @Timeout}. */
class RunLimitsTest {
    private static final String SPIN = "eb fe";  // jmp $
    private static final long CR0_PE = 1;
    private static final long CR0_PG = 1L << 31;
    private static final long EFER_LMA = 1 << 10;

    @Test
    @KvmGuest(code = SPIN, timeoutMillis = 200)
    void aSpinningGuestStopsAtTheAnnotationsLimit(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.TIMEOUT);
        assertThat(run).exits().hasSize(1);
        assertThat(run.lastExit().detail()).isEqualTo("stopped at the time limit of 200 ms");
        assertThat(run).registers().hasRip(0x1000);
        assertThat(run.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = SPIN, timeoutMillis = 100)
    void aSpinningProtectedModeGuestStopsWithItsRegisters(GuestRun run) {
        assertSpunUntilTheLimit(run, CpuMode.PROTECTED);
        assertThat(run.specialRegisters().cr0() & CR0_PE).isEqualTo(CR0_PE);
    }

    @Test
    @DisabledOnPvm
    @KvmGuest(mode = CpuMode.PAGED, code = SPIN, timeoutMillis = 100)
    void aSpinningPagedGuestStopsWithItsRegisters(GuestRun run) {
        assertSpunUntilTheLimit(run, CpuMode.PAGED);
        assertThat(run.specialRegisters().cr0() & CR0_PG).isEqualTo(CR0_PG);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = SPIN, timeoutMillis = 100)
    void aSpinningLongModeGuestStopsWithItsRegisters(GuestRun run) {
        assertSpunUntilTheLimit(run, CpuMode.LONG);
        assertThat(run.specialRegisters().efer() & EFER_LMA).isEqualTo(EFER_LMA);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = "66 ba f8 03 b0 2e ee eb fd", timeoutMillis = 200)  // mov dx,0x3f8; mov al,'.'; again: out dx,al; jmp again
    void aLongModeGuestPrintingForeverStopsWithItsOutputSoFar(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.TIMEOUT);
        assertThat(run).serialOutput().isNotEmpty().matches("\\.+");
        assertEveryWriteCounted(run, 0x3f8);
    }

    @Test
    @KvmGuest(code = "ba f8 03 b0 2e ee eb fd", timeoutMillis = 1000,  // mov dx,0x3f8; mov al,'.'; again: out dx,al; jmp again
              maxRecordedExits = 100, maxRecordedOutput = 50)
    void aGuestPrintingForeverKeepsOnlyWhatTheLimitsAllowAndCountsTheRest(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.TIMEOUT);
        assertThat(run.exits()).hasSize(101).last().isEqualTo(run.lastExit());
        assertThat(run).serialOutput().isEqualTo(".".repeat(50));
        assertThat(run).portOutput(0x3f8).hasSize(50);
        assertThat(run.droppedExits()).isPositive();
        long writes = 100 + run.droppedExits();  // every exit but the stop is one OUT of one byte
        assertThat(run.droppedOutputBytes(0x3f8)).isEqualTo(writes - 50);
        assertThat(run.droppedOutputBytes(0x80)).isZero();
        assertThat(run.toString())
                .contains(run.droppedExits() + " exits not recorded, past @KvmGuest(maxRecordedExits)")
                .contains("and " + (writes - 50) + " bytes not recorded, past @KvmGuest(maxRecordedOutput)");
    }

    @Test
    @KvmGuest(code = "b9 e8 03 e6 e9 e2 fc f4", maxRecordedExits = 1000)  // mov cx,1000; again: out 0xe9,al; loop again; hlt
    void aRunWithinTheLimitsDropsNothing(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run.exits()).hasSize(1001);
        assertThat(run.droppedExits()).isZero();
        assertThat(run.droppedOutputBytes(0xe9)).isZero();
        assertThat(run.toString()).doesNotContain("not recorded");
    }

    /** Each exit but the stop is a one-byte write: kept or dropped, every one is counted. */
    private static void assertEveryWriteCounted(GuestRun run, int port) {
        assertThat(run.exits().size() - 1 + run.droppedExits())
                .isEqualTo(run.portOutput(port).length + run.droppedOutputBytes(port));
    }

    private static void assertSpunUntilTheLimit(GuestRun run, CpuMode mode) {
        assertThat(run).stoppedWith(ExitReason.TIMEOUT);
        assertThat(run.mode()).isEqualTo(mode);
        assertThat(run).exits().hasSize(1);
        assertThat(run).registers().hasRip(0x1000);
    }

    @Test
    @KvmGuest(code = SPIN)
    void runWithADurationOverridesTheLimit(KvmVm vm) {
        GuestRun run = vm.run(Duration.ofMillis(50));

        assertThat(run).stoppedWith(ExitReason.TIMEOUT);
        assertThat(run.lastExit().detail()).isEqualTo("stopped at the time limit of 50 ms");
    }

    @Test
    @KvmGuest(code = "b0 2e e6 e9 eb fa", timeoutMillis = 200)  // again: mov al,'.'; out 0xe9,al; jmp again
    void aChattyGuestStopsAtTheLimitWithItsOutputSoFar(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.TIMEOUT);
        assertThat(run).portOutput(0xe9).isNotEmpty().containsOnly('.');
        assertEveryWriteCounted(run, 0xe9);
    }

    @Test
    @KvmGuest(code = SPIN, timeoutMillis = 100)
    void aStoppedVmCanRunAgain(KvmVm vm) {
        assertThat(vm.run()).stoppedWith(ExitReason.TIMEOUT);
        vm.setRegisters(vm.registers().withRip(0x1002));
        vm.memory().write(0x1002, (byte) 0xf4);

        assertThat(vm.run()).haltedNormally();
    }

    @Test
    void junitsOwnTimeoutStopsTheGuest() {
        long start = System.nanoTime();

        EngineTestKit.engine("junit-jupiter").selectors(selectClass(TimeoutFixture.class)).execute()
                .testEvents().assertThatEvents().haveExactly(1,
                        event(test("spinsPastJunitsTimeout"), finishedWithFailure(instanceOf(TimeoutException.class))));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the guest's own limit is 60 s")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(TimeoutFixture.vm).isNotNull();
        org.assertj.core.api.Assertions.assertThatIllegalStateException()
                .isThrownBy(() -> TimeoutFixture.vm.registers()).withMessage("this KvmVm is closed");
    }

    /** Run by {@link #junitsOwnTimeoutStopsTheGuest()} only. */
    @Tag("fixture")
    static class TimeoutFixture {
        static KvmVm vm;

        @Test
        @Timeout(1)
        @KvmGuest(code = SPIN, timeoutMillis = 60_000)
        void spinsPastJunitsTimeout(KvmVm vm) {
            TimeoutFixture.vm = vm;
            vm.run();
        }
    }
}
