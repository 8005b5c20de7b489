package io.github.junitkvm.bench;

import java.time.Duration;

/** Repeats an operation for at least a time budget and reports the mean time of one. */
public final class TimedLoop {
    private TimedLoop() {
    }

    /** An operation to repeat. */
    @FunctionalInterface
    public interface Operation {
        /**
         * @return how many units of work it did (tests run, for instance); at least 1
         * @throws Exception if it failed
         */
        long run() throws Exception;
    }

    /**
     * @param budget the least time to spend; at least one operation runs
     * @param operation what to repeat
     * @return microseconds per unit of work
     * @throws Exception the operation's failure
     */
    public static double microsPerUnit(Duration budget, Operation operation) throws Exception {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        long units = 0;
        long now;
        do {
            units += operation.run();
            now = System.nanoTime();
        } while (now < deadline);
        return (now - start) / 1e3 / units;
    }
}
