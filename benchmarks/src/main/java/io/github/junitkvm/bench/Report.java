package io.github.junitkvm.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The results as tables, one per run (backend and environment), each value with its ratio to the C
 * baseline of the same metric measured in the same run, then the verdicts on the targets: as plain
 * text for the terminal and as Markdown for the guide (docs/reuse-and-performance.md).
 */
public final class Report {
    private Report() {
    }

    /**
     * @param environment an environment name of the results
     * @return what it means, for headings
     */
    public static String describeEnvironment(String environment) {
        return switch (environment) {
            case "host" -> "on the host";
            case "host-pvm" -> "on the host's /dev/kvm, which is kvm_pvm (PVM, no hardware virtualization):"
                    + " not representative of KVM";
            case "kvm-in-qemu" -> "inside tools/kvm-in-qemu: real KVM (kvm_amd, nested on QEMU's emulated SVM)"
                    + " in a guest that QEMU runs under TCG; compare only ratios within this run";
            default -> "in " + environment;
        };
    }

    /**
     * @param measurements rows of any number of runs
     * @return the rows grouped by run, in first-seen order
     */
    public static Map<String, List<Measurement>> byRun(List<Measurement> measurements) {
        Map<String, List<Measurement>> runs = new LinkedHashMap<>();
        measurements.forEach(m -> runs.computeIfAbsent(m.run(), r -> new ArrayList<>()).add(m));
        return runs;
    }

    /**
     * @param measurements rows of any number of runs
     * @return the text tables and verdicts
     */
    public static String text(List<Measurement> measurements) {
        StringBuilder text = new StringBuilder();
        byRun(measurements).forEach((run, rows) -> {
            Measurement first = rows.get(0);
            text.append(String.format(Locale.ROOT, "%n%s backend %s%n", first.backend(),
                    describeEnvironment(first.environment())));
            text.append(String.format(Locale.ROOT, "  %-46s %12s %25s %9s%n", "series", "median", "range of rounds",
                    "vs C"));
            for (Measurement m : rows) {
                var format = Targets.formatter(m.series().metric());
                Stats s = m.stats();
                text.append(String.format(Locale.ROOT, "  %-46s %12s %25s %9s%n", m.series().label(),
                        format.apply(s.median()), format.apply(s.min()) + " - " + format.apply(s.max()),
                        ratioToC(m, rows).map(r -> String.format(Locale.ROOT, "%.3gx", r)).orElse("")));
            }
            text.append("  targets:\n");
            Targets.evaluate(rows).forEach(v -> text.append("    ").append(v.describe()).append('\n'));
        });
        return text.toString();
    }

    /**
     * @param measurements rows of any number of runs
     * @return a Markdown section per run: a table of the values and ratios, then the verdicts
     */
    public static String markdown(List<Measurement> measurements) {
        StringBuilder text = new StringBuilder();
        byRun(measurements).forEach((run, rows) -> {
            Measurement first = rows.get(0);
            text.append(String.format(Locale.ROOT, "**%s backend, %s**%n%n", first.backend(),
                    describeEnvironment(first.environment())));
            text.append("| measured | median | rounds (min – max) | vs C |\n|---|---:|---:|---:|\n");
            for (Measurement m : rows) {
                var format = Targets.formatter(m.series().metric());
                Stats s = m.stats();
                text.append(String.format(Locale.ROOT, "| %s: %s | %s | %d (%s – %s) | %s |%n",
                        m.series().metric().id(), m.series().label(), format.apply(s.median()), s.rounds(),
                        format.apply(s.min()), format.apply(s.max()),
                        ratioToC(m, rows).map(r -> String.format(Locale.ROOT, "%.3gx", r)).orElse("")));
            }
            text.append('\n');
            Targets.evaluate(rows).forEach(v -> text.append(String.format(Locale.ROOT, "- **%s** %s: %s%s%n",
                    v.status(), v.target(), v.summary(), v.why().isEmpty() ? "" : ". Why: " + v.why())));
            text.append('\n');
        });
        return text.toString();
    }

    /**
     * @param row a row
     * @param rows every row of its run
     * @return its median over the median of the C baseline of the same metric, if there is one
     *     and the row is not it
     */
    static Optional<Double> ratioToC(Measurement row, List<Measurement> rows) {
        if (row.series().subject().equals("c")) {
            return Optional.empty();
        }
        return rows.stream()
                .filter(m -> m.series().metric() == row.series().metric() && m.series().subject().equals("c"))
                .findFirst()
                .map(c -> row.stats().median() / c.stats().median());
    }
}
