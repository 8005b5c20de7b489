package io.github.junitkvm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The targets, checked against the measurements of one run (one backend in one environment:
 * ratios are only taken between numbers measured side by side):
 *
 * <ol>
 *   <li>a {@code @KvmGuest} test costs at most 1.5 times the C loop on the same backend (3 times on
 *       the emulator, whose VMs live in worker processes);
 *   <li>one QEMU process per test costs at least 100 times a {@code @KvmGuest} test (QEMU with KVM
 *       against the KVM backend, with TCG against the emulator);
 *   <li>the extension handles at least a third of the exits per second that C does (0.05 on the
 *       emulator, where C's exit is a function call from translated code);
 *   <li>memory per live VM is stated, and on the emulator at most 24 MiB;
 *   <li>on the emulator, a round trip to the worker takes at most 25 µs.
 * </ol>
 *
 * A missed target says by how much, and why, from the other measurements of the run.
 */
public final class Targets {
    /** Target 1: per-test cost over the C loop's, at most. */
    public static final double TEST_OVER_C = 1.5;
    /** Target 1 on the emulator. */
    public static final double EMULATOR_TEST_OVER_C = 3;
    /** Target 2: a QEMU process's cost over a test's, at least. */
    public static final double QEMU_OVER_TEST = 100;
    /** Target 3: the extension's exits per second over C's, at least. */
    public static final double EXITS_OVER_C = 1.0 / 3;
    /** Target 3 on the emulator. */
    public static final double EMULATOR_EXITS_OVER_C = 0.05;
    /** Target 4 on the emulator: KiB per live VM, at most. */
    public static final double EMULATOR_MEMORY_KIB = 24 * 1024;
    /** Target 5, the emulator's only: microseconds per round trip to the worker, at most. */
    public static final double ROUND_TRIP_MICROS = 25;

    /**
     * Round trips one emulator VM of the 2+2 guest makes to its worker: creating it, and the run.
     * The calls that return nothing (writing the code, setting the registers) go without waiting,
     * ahead of the run; the registers come with the new machine and with the run's stop; the close
     * goes without waiting.
     */
    static final int WORKER_ROUND_TRIPS_PER_VM = 2;

    private final Map<Series, Stats> results;
    private final String run;
    private final boolean emulator;

    private Targets(String run, boolean emulator, Map<Series, Stats> results) {
        this.run = run;
        this.emulator = emulator;
        this.results = results;
    }

    /**
     * @param measurements the rows of one run
     * @return one verdict per target
     * @throws IllegalArgumentException if the rows are of several runs, or none
     */
    public static List<Verdict> evaluate(List<Measurement> measurements) {
        List<String> runs = measurements.stream().map(Measurement::run).distinct().toList();
        if (runs.size() != 1) {
            throw new IllegalArgumentException("targets compare the measurements of one run, not " + runs);
        }
        Map<Series, Stats> results = measurements.stream()
                .collect(Collectors.toMap(Measurement::series, Measurement::stats, (a, b) -> b));
        Targets targets = new Targets(runs.get(0), "EMULATOR".equals(measurements.get(0).backend()), results);
        List<Verdict> verdicts = new ArrayList<>();
        verdicts.add(targets.perTest());
        verdicts.add(targets.qemu());
        verdicts.add(targets.exits());
        verdicts.add(targets.memory());
        verdicts.add(targets.reset());
        if (targets.emulator) {
            verdicts.add(targets.roundTrip());
        }
        return verdicts;
    }

    private Verdict perTest() {
        double limit = emulator ? EMULATOR_TEST_OVER_C : TEST_OVER_C;
        String target = String.format(Locale.ROOT, "per-test cost <= %.1fx the C loop", limit);
        Optional<Verdict> missing = missing(target, Series.LIFECYCLE_TEST, Series.LIFECYCLE_C);
        if (missing.isPresent()) {
            return missing.get();
        }
        double test = median(Series.LIFECYCLE_TEST);
        double c = median(Series.LIFECYCLE_C);
        double ratio = test / c;
        String numbers = String.format(Locale.ROOT, "%.2fx (a test %s, the C loop %s per VM)", ratio, micros(test),
                micros(c));
        if (ratio <= limit) {
            return new Verdict(run, target, ratio, Verdict.Status.MET, numbers, "");
        }
        StringBuilder why = new StringBuilder();
        results(Series.LIFECYCLE_JUNIT).ifPresent(junit -> why.append(String.format(Locale.ROOT,
                "of the %s per test, %s is JUnit's and AssertJ's own (a plain test without a VM, same launcher)",
                micros(test), micros(junit.median()))));
        results(Series.LIFECYCLE_VM).ifPresent(vm -> {
            why.append(why.length() == 0 ? "" : "; ").append(String.format(Locale.ROOT,
                    "the VM's create+run+close through GuestVm costs %s, %.2fx the C loop's %s", micros(vm.median()),
                    vm.median() / c, micros(c)));
            double rest = test - vm.median() - results(Series.LIFECYCLE_JUNIT).map(Stats::median).orElse(0.0);
            why.append(String.format(Locale.ROOT, "; the remaining %s is the extension's work per test in JUnit"
                    + " (its callbacks, reading @KvmGuest, the store, the parameter, the report entry) and the"
                    + " test's assertions on the run",
                    micros(Math.max(0, rest))));
        });
        if (emulator) {
            results(Series.ROUND_TRIP_WORKER).ifPresent(trip -> {
                double ipc = WORKER_ROUND_TRIPS_PER_VM * trip.median();
                why.append(String.format(Locale.ROOT, "; each emulator VM makes %d round trips to its worker JVM"
                        + " over pipes, %s each (about %s per VM), where C calls libunicorn directly",
                        WORKER_ROUND_TRIPS_PER_VM, micros(trip.median()), micros(ipc)));
                results(Series.LIFECYCLE_VM).ifPresent(vm -> why.append(String.format(Locale.ROOT, "; the rest of"
                        + " the VM's cost over C, %s, is the worker's Java and JNA work around the same libunicorn"
                        + " calls", micros(Math.max(0, vm.median() - c - ipc)))));
            });
        } else {
            why.append("; on KVM the extension makes the same ioctls as the C loop, so the VM's share of the"
                    + " difference is JNA's cost per call and the Java objects around each call");
        }
        return new Verdict(run, target, ratio, Verdict.Status.MISSED,
                numbers + String.format(Locale.ROOT, "; misses by %.2fx: a test would need to cost %s less",
                        ratio / limit, micros(test - limit * c)), why.toString());
    }

    private Verdict qemu() {
        Series qemu = emulator ? Series.LIFECYCLE_QEMU_TCG : Series.LIFECYCLE_QEMU_KVM;
        String target = String.format(Locale.ROOT, "a QEMU process per test (%s) >= %.0fx a @KvmGuest test",
                emulator ? "TCG" : "KVM", QEMU_OVER_TEST);
        Optional<Verdict> missing = missing(target, qemu, Series.LIFECYCLE_TEST);
        if (missing.isPresent()) {
            return missing.get();
        }
        double process = median(qemu);
        double test = median(Series.LIFECYCLE_TEST);
        double ratio = process / test;
        String numbers = String.format(Locale.ROOT, "%.0fx (a QEMU process %s, a test %s)", ratio, micros(process),
                micros(test));
        if (ratio >= QEMU_OVER_TEST) {
            return new Verdict(run, target, ratio, Verdict.Status.MET, numbers, "");
        }
        String why = results(Series.LIFECYCLE_C).map(c -> String.format(Locale.ROOT,
                "creating and running a VM is itself expensive here: the C loop takes %s per VM, so even an"
                        + " extension that cost nothing over C would be only %.0fx cheaper than a QEMU process",
                micros(c.median()), process / c.median())).orElse("");
        return new Verdict(run, target, ratio, Verdict.Status.MISSED, numbers + String.format(Locale.ROOT,
                "; misses by %.1fx: a test would need to cost at most %s", QEMU_OVER_TEST / ratio,
                micros(process / QEMU_OVER_TEST)), why);
    }

    private Verdict exits() {
        double limit = emulator ? EMULATOR_EXITS_OVER_C : EXITS_OVER_C;
        String target = emulator ? "exits/s through JNA >= 0.05x C's" : "exits/s through JNA >= 1/3 of C's";
        Optional<Verdict> missing = missing(target, Series.EXITS_EXTENSION, Series.EXITS_C);
        if (missing.isPresent()) {
            return missing.get();
        }
        double extension = median(Series.EXITS_EXTENSION);
        double c = median(Series.EXITS_C);
        double ratio = extension / c;
        String numbers = String.format(Locale.ROOT, "%.3fx (the extension %s, C %s)", ratio, rate(extension),
                rate(c));
        if (ratio >= limit) {
            return new Verdict(run, target, ratio, Verdict.Status.MET, numbers, "");
        }
        String why;
        if (emulator) {
            why = String.format(Locale.ROOT, "C's OUT hook is a plain function call from Unicorn's translated code,"
                    + " %.0f ns per exit; through JNA each exit is a native-to-Java callback", 1e9 / c);
            why += results(Series.EXITS_JNA).map(jna -> String.format(Locale.ROOT, ", which alone (in-process, no"
                    + " worker) reaches %s (%.3fx C); the worker then encodes each exit onto its pipe and the test"
                    + " JVM decodes and records it: %.0f ns per exit in all", rate(jna.median()), jna.median() / c,
                    1e9 / extension)).orElse("");
        } else {
            why = String.format(Locale.ROOT, "every exit is a KVM_RUN ioctl in both, %.1f µs in C; the extension adds"
                    + " %.1f µs per exit: a JNA call, reading kvm_run through JNA, the listener and a recorded VmExit",
                    1e6 / c, 1e6 / extension - 1e6 / c);
        }
        return new Verdict(run, target, ratio, Verdict.Status.MISSED,
                numbers + String.format(Locale.ROOT, "; misses by %.1fx", limit / ratio), why);
    }

    private Verdict memory() {
        String target = emulator ? String.format(Locale.ROOT, "memory per live VM <= %s", kib(EMULATOR_MEMORY_KIB))
                : "memory per live VM (stated)";
        Optional<Verdict> missing = missing(target, Series.MEMORY_EXTENSION);
        if (missing.isPresent()) {
            return missing.get();
        }
        double extension = median(Series.MEMORY_EXTENSION);
        String numbers = String.format(Locale.ROOT, "the extension %s", kib(extension))
                + results(Series.MEMORY_C).map(c -> ", C " + kib(c.median())).orElse("");
        if (!emulator) {
            return new Verdict(run, target, Double.NaN, Verdict.Status.STATED,
                    numbers + "; resident memory only: KVM's kernel-side memory per VM is in neither", "");
        }
        double ratio = extension / EMULATOR_MEMORY_KIB;
        if (ratio <= 1) {
            return new Verdict(run, target, ratio, Verdict.Status.MET, numbers, "");
        }
        return new Verdict(run, target, ratio, Verdict.Status.MISSED, numbers + String.format(Locale.ROOT,
                "; misses by %.2fx", ratio), "each live VM holds a worker JVM of its own (the pool lends a worker per"
                + " machine, so that Unicorn's abort() ends one machine, not its neighbours): the JVM's own"
                + " resident memory (libjvm, the class-data archive, metaspace, code, the heap's young generation)"
                + " is most of it, where the C loop holds only its engine"
                + results(Series.MEMORY_C).map(c -> " (" + kib(c.median()) + ")").orElse(""));
    }

    /** Target 5: the emulator's round trip to its worker, at most {@link #ROUND_TRIP_MICROS}. */
    private Verdict roundTrip() {
        String target = String.format(Locale.ROOT, "a round trip to the worker <= %s", micros(ROUND_TRIP_MICROS));
        Optional<Verdict> missing = missing(target, Series.ROUND_TRIP_WORKER);
        if (missing.isPresent()) {
            return missing.get();
        }
        double trip = median(Series.ROUND_TRIP_WORKER);
        double ratio = trip / ROUND_TRIP_MICROS;
        String numbers = micros(trip);
        if (ratio <= 1) {
            return new Verdict(run, target, ratio, Verdict.Status.MET, numbers, "");
        }
        String inC = results(Series.ROUND_TRIP_C).map(c -> String.format(Locale.ROOT, "; on this machine two C"
                + " processes passing the same bytes over pipes, doing nothing else, take %s (the extension's is"
                + " %.2fx that)%s", micros(c.median()), trip / c.median(), c.median() > ROUND_TRIP_MICROS
                ? ": the kernel's waking of two processes is most of a round trip, and the target lies below what"
                + " it costs C here" : "")).orElse("");
        return new Verdict(run, target, ratio, Verdict.Status.MISSED, numbers + String.format(Locale.ROOT,
                "; misses by %.2fx", ratio), "a round trip is a request written to one pipe and its reply to"
                + " another: two processes wake up, each from a blocking read, and each end encodes and decodes a"
                + " message; the worker's JVM compiles with C1 only, to start quickly and stay small" + inC);
    }

    /** Not a target: what the part 4, a fast reset of one VM between tests, saves. */
    private Verdict reset() {
        String target = "what reusing one VM saves (part 4, fast reset: junitkvm.reuseVms)";
        Optional<Verdict> missing = missing(target, Series.LIFECYCLE_C_RESET, Series.LIFECYCLE_C);
        if (missing.isPresent()) {
            return missing.get();
        }
        double reset = median(Series.LIFECYCLE_C_RESET);
        double c = median(Series.LIFECYCLE_C);
        return new Verdict(run, target, c / reset, Verdict.Status.STATED, String.format(Locale.ROOT,
                "in C, reloading and running a reused VM takes %s, %.0fx less than creating, running and closing"
                        + " one (%s): creating and destroying the VM is most of a test's cost", micros(reset),
                c / reset, micros(c)) + results(Series.LIFECYCLE_VM_REUSED).flatMap(reused ->
                        results(Series.LIFECYCLE_VM).map(vm -> String.format(Locale.ROOT,
                                "; the extension's GuestVm on a reused machine takes %s, %.1fx less than on a new"
                                        + " one (%s)", micros(reused.median()), vm.median() / reused.median(),
                                micros(vm.median())))).orElse(""), "");
    }

    private Optional<Verdict> missing(String target, Series... needed) {
        for (Series series : needed) {
            if (!results.containsKey(series)) {
                return Optional.of(new Verdict(run, target, Double.NaN, Verdict.Status.NOT_MEASURED,
                        series.label() + " was not measured in this run", ""));
            }
        }
        return Optional.empty();
    }

    private Optional<Stats> results(Series series) {
        return Optional.ofNullable(results.get(series));
    }

    private double median(Series series) {
        return results.get(series).median();
    }

    static String micros(double micros) {
        return micros >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", micros / 1000)
                : micros >= 100 ? String.format(Locale.ROOT, "%.0f µs", micros)
                : String.format(Locale.ROOT, "%.1f µs", micros);
    }

    static String rate(double perSecond) {
        return perSecond >= 1e6 ? String.format(Locale.ROOT, "%.1f M/s", perSecond / 1e6)
                : String.format(Locale.ROOT, "%.0f k/s", perSecond / 1e3);
    }

    static String kib(double kib) {
        return kib >= 10_240 ? String.format(Locale.ROOT, "%.1f MiB", kib / 1024)
                : String.format(Locale.ROOT, "%.1f KiB", kib);
    }

    /** @return formats a value of a series for a table, in its metric's unit */
    static Function<Double, String> formatter(Series.Metric metric) {
        return switch (metric) {
            case LIFECYCLE, ROUND_TRIP -> Targets::micros;
            case EXITS -> Targets::rate;
            case MEMORY -> Targets::kib;
        };
    }
}
