package io.github.junitkvm.bench;

import java.util.ArrayList;
import java.util.List;

/** Builds the rows of a made-up run for the tests. */
final class Runs {
    private final String environment;
    private final String backend;
    private final List<Measurement> rows = new ArrayList<>();

    Runs(String environment, String backend) {
        this.environment = environment;
        this.backend = backend;
    }

    Runs with(Series series, double median) {
        rows.add(new Measurement(environment, backend, series, new Stats(median, median * 0.9, median * 1.2, 5),
                "a detail, with a comma"));
        return this;
    }

    List<Measurement> rows() {
        return List.copyOf(rows);
    }
}
