package io.github.junitkvm.bench;

import java.util.Arrays;

/**
 * A summary of the per-round samples of one series: the median, which the ratios use (robust to a
 * round disturbed by another process on a shared machine), and the range.
 *
 * @param median the median sample
 * @param min the smallest sample
 * @param max the largest sample
 * @param rounds how many samples
 */
public record Stats(double median, double min, double max, int rounds) {
    /**
     * @param samples one value per measured round, at least one
     * @return their summary
     * @throws IllegalArgumentException if there are none
     */
    public static Stats of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        double median = sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Stats(median, sorted[0], sorted[sorted.length - 1], sorted.length);
    }

    /** @return the range as a fraction of the median, a measure of how noisy the rounds were */
    public double spread() {
        return median == 0 ? 0 : (max - min) / median;
    }
}
