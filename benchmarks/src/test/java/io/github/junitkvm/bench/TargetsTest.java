package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {
    @Test
    void aRunThatMeetsEveryTarget() {
        List<Verdict> verdicts = Targets.evaluate(new Runs("kvm-in-qemu", "KVM")
                .with(Series.LIFECYCLE_C, 100).with(Series.LIFECYCLE_TEST, 140)
                .with(Series.LIFECYCLE_QEMU_KVM, 20_000)
                .with(Series.EXITS_C, 90_000).with(Series.EXITS_EXTENSION, 60_000)
                .with(Series.MEMORY_C, 12).with(Series.MEMORY_EXTENSION, 20).rows());
        assertThat(verdicts).extracting(Verdict::status).containsExactly(Verdict.Status.MET, Verdict.Status.MET,
                Verdict.Status.MET, Verdict.Status.STATED, Verdict.Status.NOT_MEASURED);
        assertThat(verdicts.get(0).ratio()).isEqualTo(1.4);
        assertThat(verdicts.get(1).ratio()).isCloseTo(142.86, org.assertj.core.data.Offset.offset(0.01));
        assertThat(verdicts.get(0).why()).isEmpty();
        assertThat(verdicts.get(3).summary()).contains("the extension 20.0 KiB, C 12.0 KiB", "kernel-side");
    }

    @Test
    void aMissedPerTestTargetSaysByHowMuchAndWhatTheTestIsMadeOf() {
        Verdict verdict = Targets.evaluate(new Runs("host", "EMULATOR")
                .with(Series.LIFECYCLE_C, 200).with(Series.LIFECYCLE_VM, 800).with(Series.LIFECYCLE_TEST, 1200)
                .with(Series.LIFECYCLE_JUNIT, 100).with(Series.ROUND_TRIP_WORKER, 20).rows()).get(0);
        assertThat(verdict.status()).isEqualTo(Verdict.Status.MISSED);
        assertThat(verdict.ratio()).isEqualTo(6);
        assertThat(verdict.summary()).isEqualTo("6.00x (a test 1200 µs, the C loop 200 µs per VM); misses by 2.00x:"
                + " a test would need to cost 600 µs less");
        assertThat(verdict.why()).contains("100 µs is JUnit's and AssertJ's own", "costs 800 µs, 4.00x the C loop's",
                "the remaining 300 µs is the extension's work per test in JUnit",
                "2 round trips to its worker JVM over pipes, 20.0 µs each (about 40.0 µs per VM)",
                "the rest of the VM's cost over C, 560 µs, is the worker's Java and JNA work");
    }

    @Test
    void aMissedQemuTargetSaysWhatEvenAFreeExtensionWouldReach() {
        Verdict verdict = Targets.evaluate(new Runs("host-pvm", "KVM")
                .with(Series.LIFECYCLE_C, 1000).with(Series.LIFECYCLE_TEST, 1100)
                .with(Series.LIFECYCLE_QEMU_KVM, 50_000).with(Series.LIFECYCLE_QEMU_TCG, 25_000).rows()).get(1);
        assertThat(verdict.target()).contains("(KVM)");
        assertThat(verdict.status()).isEqualTo(Verdict.Status.MISSED);
        assertThat(verdict.summary()).contains("misses by 2.2x: a test would need to cost at most 500 µs");
        assertThat(verdict.why()).contains("the C loop takes 1000 µs per VM", "only 50x cheaper than a QEMU process");
    }

    @Test
    void aMissedExitsTargetOnTheEmulatorComparesJnaAloneWithTheWholePath() {
        Verdict verdict = Targets.evaluate(new Runs("host", "EMULATOR")
                .with(Series.EXITS_C, 100e6).with(Series.EXITS_EXTENSION, 500e3).with(Series.EXITS_JNA, 800e3)
                .rows()).get(2);
        assertThat(verdict.status()).isEqualTo(Verdict.Status.MISSED);
        assertThat(verdict.summary()).isEqualTo("0.005x (the extension 500 k/s, C 100.0 M/s); misses by 10.0x");
        assertThat(verdict.why()).contains("10 ns per exit", "reaches 800 k/s (0.008x C)", "2000 ns per exit in all");
    }

    @Test
    void aMissedExitsTargetOnKvmNamesTheAddedCostPerExit() {
        Verdict verdict = Targets.evaluate(new Runs("kvm-in-qemu", "KVM")
                .with(Series.EXITS_C, 100_000).with(Series.EXITS_EXTENSION, 25_000).rows()).get(2);
        assertThat(verdict.why()).contains("10.0 µs in C", "adds 30.0 µs per exit");
    }

    @Test
    void theEmulatorsMemoryAndRoundTripTargetsSayByHowMuchTheyAreMissedAndWhy() {
        List<Verdict> verdicts = Targets.evaluate(new Runs("host", "EMULATOR")
                .with(Series.MEMORY_C, 3 * 1024).with(Series.MEMORY_EXTENSION, 36 * 1024)
                .with(Series.ROUND_TRIP_WORKER, 50).rows());

        assertThat(verdicts.get(3).status()).isEqualTo(Verdict.Status.MISSED);
        assertThat(verdicts.get(3).summary()).isEqualTo("the extension 36.0 MiB, C 3072.0 KiB; misses by 1.50x");
        assertThat(verdicts.get(3).why()).contains("a worker JVM of its own", "holds only its engine (3072.0 KiB)");
        assertThat(verdicts.get(5).target()).isEqualTo("a round trip to the worker <= 25.0 µs");
        assertThat(verdicts.get(5).summary()).isEqualTo("50.0 µs; misses by 2.00x");
        assertThat(verdicts.get(5).why()).contains("two processes wake up").doesNotContain("two C processes");
    }

    @Test
    void aMissedRoundTripSaysWhatTheSameExchangeCostsTwoCProcesses() {
        Verdict verdict = Targets.evaluate(new Runs("host", "EMULATOR")
                .with(Series.ROUND_TRIP_C, 35).with(Series.ROUND_TRIP_WORKER, 42).rows()).get(5);

        assertThat(verdict.why()).contains("two C processes passing the same bytes over pipes, doing nothing else,"
                + " take 35.0 µs (the extension's is 1.20x that): the kernel's waking of two processes is most of a"
                + " round trip, and the target lies below what it costs C here");
    }

    @Test
    void theEmulatorsTargetsAreMetAtTheirOwnLimits() {
        List<Verdict> verdicts = Targets.evaluate(new Runs("host", "EMULATOR")
                .with(Series.LIFECYCLE_C, 100).with(Series.LIFECYCLE_TEST, 290)
                .with(Series.EXITS_C, 100e6).with(Series.EXITS_EXTENSION, 6e6)
                .with(Series.MEMORY_EXTENSION, 20 * 1024).with(Series.ROUND_TRIP_WORKER, 24).rows());

        assertThat(verdicts).extracting(Verdict::status).containsExactly(Verdict.Status.MET,
                Verdict.Status.NOT_MEASURED, Verdict.Status.MET, Verdict.Status.MET, Verdict.Status.NOT_MEASURED,
                Verdict.Status.MET);
    }

    @Test
    void aTargetWhoseSeriesWasNotMeasuredSaysWhich() {
        List<Verdict> verdicts = Targets.evaluate(new Runs("host", "KVM").with(Series.LIFECYCLE_TEST, 5).rows());
        assertThat(verdicts).extracting(Verdict::status).containsOnly(Verdict.Status.NOT_MEASURED);
        assertThat(verdicts.get(1).summary()).isEqualTo("one QEMU process per test (KVM) was not measured in this run");
    }

    @Test
    void ratiosAreNeverTakenAcrossRuns() {
        List<Measurement> rows = new ArrayList<>(new Runs("host", "KVM").with(Series.LIFECYCLE_C, 1).rows());
        rows.addAll(new Runs("kvm-in-qemu", "KVM").with(Series.LIFECYCLE_TEST, 1).rows());
        assertThatThrownBy(() -> Targets.evaluate(rows)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one run");
    }

    @Test
    void theResetLineStatesWhatReusingAVmCouldSave() {
        Verdict verdict = Targets.evaluate(new Runs("host", "EMULATOR").with(Series.LIFECYCLE_C, 200)
                .with(Series.LIFECYCLE_C_RESET, 2).rows()).get(4);
        assertThat(verdict.status()).isEqualTo(Verdict.Status.STATED);
        assertThat(verdict.ratio()).isEqualTo(100);
        assertThat(verdict.summary()).startsWith("in C, reloading and running a reused VM takes 2.0 µs, 100x less");
    }

    @Test
    void theResetLineAddsTheExtensionsReuseWhereMeasured() {
        Verdict verdict = Targets.evaluate(new Runs("host", "KVM").with(Series.LIFECYCLE_C, 200)
                .with(Series.LIFECYCLE_C_RESET, 2).with(Series.LIFECYCLE_VM, 300)
                .with(Series.LIFECYCLE_VM_REUSED, 60).rows()).get(4);
        assertThat(verdict.summary()).endsWith("; the extension's GuestVm on a reused machine takes 60.0 µs,"
                + " 5.0x less than on a new one (300 µs)");
    }

    @Test
    void describeShowsTheStatusTheSummaryAndTheWhy() {
        Verdict verdict = new Verdict("host/KVM", "t", 2, Verdict.Status.MISSED, "2x", "slow");
        assertThat(verdict.describe()).isEqualTo("[MISSED] t: 2x\n      why: slow");
    }
}
