package io.github.junitkvm.bench;

/** One round of one workload: it runs, times itself, and returns one sample in its series' unit. */
@FunctionalInterface
public interface Round {
    /**
     * @return the sample
     * @throws Exception if the workload failed; the benchmark stops, since a wrong run measures nothing
     */
    double measure() throws Exception;
}
