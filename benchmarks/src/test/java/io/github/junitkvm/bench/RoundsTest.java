package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundsTest {
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
    private final Rounds rounds = new Rounds(1, 3, new PrintStream(progress, true));

    @Test
    void dropsTheWarmUpAndSummarisesTheMeasuredRounds() throws Exception {
        double[] next = {1000, 10, 30, 20};
        int[] call = {0};
        Map<Series, Stats> stats = rounds.interleave(Map.of(Series.LIFECYCLE_C, () -> next[call[0]++]));
        assertThat(stats.get(Series.LIFECYCLE_C)).isEqualTo(new Stats(20, 10, 30, 3));
        assertThat(progress.toString()).contains("warm-up", "round 3");
    }

    @Test
    void eachRoundStartsWithTheNextWorkload() throws Exception {
        List<String> order = new ArrayList<>();
        Map<Series, Round> workloads = new LinkedHashMap<>();
        workloads.put(Series.LIFECYCLE_C, () -> {
            order.add("c");
            return 1;
        });
        workloads.put(Series.LIFECYCLE_VM, () -> {
            order.add("vm");
            return 2;
        });
        Map<Series, Stats> stats = rounds.interleave(workloads);
        assertThat(order).containsExactly("c", "vm", "vm", "c", "c", "vm", "vm", "c");
        assertThat(stats).containsOnlyKeys(Series.LIFECYCLE_C, Series.LIFECYCLE_VM);
        assertThat(stats.get(Series.LIFECYCLE_VM).median()).isEqualTo(2);
    }

    @Test
    void aFailingWorkloadStopsTheBenchmark() {
        assertThatThrownBy(() -> rounds.interleave(Map.of(Series.LIFECYCLE_C, () -> {
            throw new IllegalStateException("the guest printed 5");
        }))).hasMessage("the guest printed 5");
    }

    @Test
    void atLeastOneMeasuredRound() {
        assertThatThrownBy(() -> new Rounds(0, 0, System.out)).isInstanceOf(IllegalArgumentException.class);
    }
}
