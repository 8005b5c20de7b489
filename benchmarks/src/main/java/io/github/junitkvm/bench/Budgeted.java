package io.github.junitkvm.bench;

import java.time.Duration;

/**
 * Chooses how many operations the next round of an externally timed workload (a C program, one
 * long guest run) does, from how long one took last time, so that a round lasts about its budget.
 */
public final class Budgeted {
    private final Duration budget;
    private final long max;
    private long count;

    /**
     * @param budget how long a round should last
     * @param first the count of the first round, a guess
     * @param max the largest count allowed
     */
    public Budgeted(Duration budget, long first, long max) {
        this.budget = budget;
        this.count = first;
        this.max = max;
    }

    /** @return the count for the next round */
    public long count() {
        return count;
    }

    /**
     * @param nanos how long the last round's {@link #count()} operations took
     */
    public void took(long nanos) {
        double perOperation = Math.max(1.0, (double) nanos / count);
        count = Math.max(1, Math.min(max, (long) (budget.toNanos() / perOperation)));
    }
}
