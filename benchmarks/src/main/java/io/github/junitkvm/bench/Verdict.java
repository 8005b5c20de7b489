package io.github.junitkvm.bench;

import java.util.Locale;

/**
 * How one run measured up to one target of the benchmark.
 *
 * @param run the environment and backend ({@link Measurement#run()})
 * @param target what is compared, and the goal
 * @param ratio the measured ratio, or {@link Double#NaN} when not measured
 * @param status met, missed, only stated, or not measured
 * @param summary the numbers behind the ratio; for a miss, by how much
 * @param why for a miss, what the measurements say the cost is made of; otherwise empty
 */
public record Verdict(String run, String target, double ratio, Status status, String summary, String why) {
    /** The outcome. */
    public enum Status {
        /** The target is met. */
        MET,
        /** The target is missed; {@link #why()} says why. */
        MISSED,
        /** A quantity the benchmark only states (memory), with no target. */
        STATED,
        /** A series the target needs was not measured; the summary says why. */
        NOT_MEASURED
    }

    /** @return the verdict as the benchmark prints it: status, target, summary, and the why */
    public String describe() {
        String text = String.format(Locale.ROOT, "[%s] %s: %s", status, target, summary);
        return why.isEmpty() ? text : text + "\n      why: " + why;
    }
}
