package io.github.junitkvm.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs workloads that are compared with each other in interleaved rounds: warm-up rounds first
 * (the JIT compiles, caches and pools fill; their samples are dropped), then measured rounds, each
 * running every workload once, starting with a different one each round. Interleaving exposes all
 * of them alike to whatever else the machine does meanwhile, so their ratio stays fair even when
 * the absolute numbers drift.
 */
public final class Rounds {
    private final int warmups;
    private final int rounds;
    private final PrintStream progress;

    /**
     * @param warmups rounds run and dropped
     * @param rounds rounds measured, at least one
     * @param progress where a line per workload and round goes
     */
    public Rounds(int warmups, int rounds, PrintStream progress) {
        if (warmups < 0 || rounds < 1) {
            throw new IllegalArgumentException("warm-ups " + warmups + " and rounds " + rounds);
        }
        this.warmups = warmups;
        this.rounds = rounds;
        this.progress = progress;
    }

    /**
     * @param workloads the workloads, by series, in a stable order
     * @return the summary of each workload's measured samples, in the same order
     * @throws Exception the first failure of a workload
     */
    public Map<Series, Stats> interleave(Map<Series, Round> workloads) throws Exception {
        List<Series> order = new ArrayList<>(workloads.keySet());
        Map<Series, double[]> samples = new LinkedHashMap<>();
        order.forEach(series -> samples.put(series, new double[rounds]));
        for (int round = 0; round < warmups + rounds; round++) {
            boolean warmup = round < warmups;
            for (int i = 0; i < order.size(); i++) {
                Series series = order.get((round + i) % order.size());
                double sample = workloads.get(series).measure();
                progress.printf("  %-10s %-48s %s %,.1f %s%n", warmup ? "warm-up" : "round " + (round - warmups + 1),
                        series.label(), series.metric().id(), sample, series.metric().unit());
                if (!warmup) {
                    samples.get(series)[round - warmups] = sample;
                }
            }
        }
        Map<Series, Stats> stats = new LinkedHashMap<>();
        samples.forEach((series, values) -> stats.put(series, Stats.of(values)));
        return stats;
    }
}
