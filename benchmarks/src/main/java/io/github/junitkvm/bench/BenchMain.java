package io.github.junitkvm.bench;

import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.bench.fixture.Guests;
import io.github.junitkvm.bench.fixture.PlainTests;
import io.github.junitkvm.bench.fixture.TwoPlusTwoTests;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.kvm.KvmHypervisor;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures one backend in one environment against its baselines and writes the results file.
 *
 * <pre>
 * BenchMain --backend emulator|kvm --environment host|kvm-in-qemu --native DIR --out FILE
 *           [--quick] [--command TEXT]
 * </pre>
 *
 * In order, each comparison in interleaved rounds after warm-up rounds ({@link Rounds}): the VM's
 * whole life (the C loop, the C loop reusing one VM, {@code GuestVm}, a {@code @KvmGuest} test
 * through the JUnit launcher, a plain JUnit test); one QEMU process per test (TCG, and KVM where
 * {@code /dev/kvm} opens); on the emulator, one worker round trip; exits per second of the OUT loop
 * (C, the extension, and on the emulator JNA alone); resident memory per live VM (C, the
 * extension). Then it prints the table and the verdicts on the targets, and writes the CSV file.
 */
public final class BenchMain {
    private final Options options;
    private final PrintStream out = System.out;
    private final List<Measurement> measurements = new ArrayList<>();

    private BenchMain(Options options) {
        this.options = options;
    }

    /**
     * @param args see the class comment
     * @throws Exception if a workload fails: the benchmark measured something wrong and stops
     */
    public static void main(String[] args) throws Exception {
        new BenchMain(Options.parse(args)).run();
    }

    private void run() throws Exception {
        List<String> notes = new ArrayList<>();
        notes.add("junit-kvm benchmark: " + options.backend() + " backend, environment " + options.environment());
        notes.add("command: " + options.command());
        notes.add("date: " + ZonedDateTime.now(ZoneOffset.UTC).withNano(0));
        notes.addAll(MachineInfo.describe());
        notes.forEach(note -> out.println("# " + note));
        long start = System.nanoTime();

        boolean emulator = options.backend().equals("EMULATOR");
        // The bench owns the hypervisor its VMs are made on, and the launcher session of its JUnit
        // runs, whose store owns the extension's own backends: both end with the measurements.
        try (Hypervisor hypervisor = emulator ? EmulatorHypervisor.open() : KvmHypervisor.open();
             LauncherWorkload launcher = new LauncherWorkload(emulator ? "emulator" : "kvm")) {
            measure(emulator, hypervisor, launcher);
        }

        ResultsFile results = new ResultsFile(notes, measurements);
        results.write(options.out());
        out.print(Report.text(measurements));
        out.printf(Locale.ROOT, "%nwrote %s in %.0f s%n", options.out(), (System.nanoTime() - start) / 1e9);
    }

    private void measure(boolean emulator, Hypervisor hypervisor, LauncherWorkload launcher) throws Exception {
        Scale scale = options.scale();
        KvmGuest twoPlusTwo = Guests.twoPlusTwo();
        KvmGuest outLoop = Guests.outLoop();
        NativeWorkloads c = new NativeWorkloads(new NativeBaseline(
                options.nativeDirectory().resolve(emulator ? "unicorn_loop" : "kvm_loop")));
        ExtensionWorkloads extension = new ExtensionWorkloads(hypervisor);
        Rounds rounds = new Rounds(scale.warmups(), scale.rounds(), out);

        section("the VM's whole life: create, load the 2+2 guest, run to HLT, close");
        Map<Series, Round> lifecycle = new LinkedHashMap<>();
        lifecycle.put(Series.LIFECYCLE_C, c.lifecycle(twoPlusTwo, scale.roundBudget()));
        lifecycle.put(Series.LIFECYCLE_C_RESET, c.reset(twoPlusTwo, scale.roundBudget()));
        lifecycle.put(Series.LIFECYCLE_VM, extension.lifecycle(twoPlusTwo, scale.roundBudget()));
        lifecycle.put(Series.LIFECYCLE_VM_REUSED, extension.reusedLifecycle(twoPlusTwo, scale.roundBudget()));
        lifecycle.put(Series.LIFECYCLE_TEST, launcher.round(TwoPlusTwoTests.class, scale.roundBudget()));
        lifecycle.put(Series.LIFECYCLE_JUNIT, launcher.round(PlainTests.class, scale.roundBudget()));
        record(rounds.interleave(lifecycle), "rounds of at least " + scale.roundBudget().toMillis() + " ms");

        section("one qemu-system-x86_64 process per test: " + String.join(" ",
                new QemuBaseline(qemuFirmware(), "ACCEL").command()));
        Map<Series, Round> qemu = new LinkedHashMap<>();
        qemu.put(Series.LIFECYCLE_QEMU_TCG, new QemuBaseline(qemuFirmware(), "tcg").round(scale.qemuProcesses()));
        if (kvmUsable()) {
            qemu.put(Series.LIFECYCLE_QEMU_KVM, new QemuBaseline(qemuFirmware(), "kvm").round(scale.qemuProcesses()));
        } else {
            out.println("  /dev/kvm cannot be opened here: no QEMU process with KVM");
        }
        record(new Rounds(1, scale.rounds(), out).interleave(qemu), scale.qemuProcesses() + " processes per round");

        if (emulator) {
            section("one request to the emulator worker and its reply (KvmVm.registers()), and the same bytes"
                    + " between two C processes");
            Map<Series, Round> roundTrips = new LinkedHashMap<>();
            roundTrips.put(Series.ROUND_TRIP_C, new PipeRoundTrips(new NativeBaseline(
                    options.nativeDirectory().resolve("pipe_loop"))).round(scale.roundBudget()));
            roundTrips.put(Series.ROUND_TRIP_WORKER, extension.registerRoundTrip(twoPlusTwo, scale.roundBudget()));
            record(rounds.interleave(roundTrips), "calls for at least " + scale.roundBudget().toMillis() + " ms");
        }

        section("exits per second: a guest doing nothing but OUT to port 0x80, then HLT");
        Map<Series, Round> exits = new LinkedHashMap<>();
        exits.put(Series.EXITS_C, c.exits(outLoop, scale.roundBudget()));
        exits.put(Series.EXITS_EXTENSION, extension.exits(outLoop, scale.roundBudget()));
        if (emulator) {
            exits.put(Series.EXITS_JNA, new JnaUnicornExits().round(outLoop, scale.roundBudget()));
        }
        record(rounds.interleave(exits), "one run of about " + scale.roundBudget().toMillis() + " ms per round");

        int live = emulator ? scale.emulatorLiveVms() : scale.kvmLiveVms();
        section("resident memory per live VM: " + live + " 2+2 VMs alive at once, each run once");
        if (!MemoryProbe.heapPreTouched()) {
            out.println("  warning: the heap is not pre-touched (-XX:+AlwaysPreTouch, -Xms = -Xmx): the"
                    + " extension's memory is noisier");
        }
        Map<Series, Round> memory = new LinkedHashMap<>();
        memory.put(Series.MEMORY_C, c.memory(twoPlusTwo, live));
        memory.put(Series.MEMORY_EXTENSION, extension.memory(twoPlusTwo, live));
        record(new Rounds(0, scale.memoryRounds(), out).interleave(memory), live + " live VMs");
    }

    private void section(String title) {
        out.println();
        out.println(title);
    }

    private void record(Map<Series, Stats> stats, String detail) {
        stats.forEach((series, s) -> measurements.add(
                new Measurement(options.environment(), options.backend(), series, s, detail)));
    }

    private Path qemuFirmware() {
        return options.nativeDirectory().resolve("qemu_firmware.bin");
    }

    private static boolean kvmUsable() {
        Path device = Path.of("/dev/kvm");
        return Files.isReadable(device) && Files.isWritable(device);
    }

    /**
     * The command line.
     *
     * @param backend {@code EMULATOR} or {@code KVM}
     * @param environment where it runs; {@code host} becomes {@code host-pvm} for KVM on a PVM host
     * @param nativeDirectory where tools/bench put the C baselines and the QEMU firmware
     * @param out the results file
     * @param scale how much to do
     * @param command the command that reproduces the run, for the results file
     */
    record Options(String backend, String environment, Path nativeDirectory, Path out, Scale scale,
                   String command) {
        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            boolean quick = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--quick")) {
                    quick = true;
                } else if (args[i].startsWith("--") && i + 1 < args.length) {
                    values.put(args[i].substring(2), args[++i]);
                } else {
                    throw usage("unexpected argument '" + args[i] + "'");
                }
            }
            String backend = required(values, "backend").toUpperCase(Locale.ROOT);
            if (!backend.equals("EMULATOR") && !backend.equals("KVM")) {
                throw usage("--backend must be emulator or kvm, not " + values.get("backend"));
            }
            String environment = required(values, "environment");
            if (environment.equals("host") && backend.equals("KVM") && MachineInfo.kvmModule().equals("kvm_pvm")) {
                environment = "host-pvm";
            }
            return new Options(backend, environment, Path.of(required(values, "native")),
                    Path.of(required(values, "out")), quick ? Scale.QUICK : Scale.FULL,
                    values.getOrDefault("command", "(not given)"));
        }

        private static String required(Map<String, String> values, String name) {
            String value = values.get(name);
            if (value == null) {
                throw usage("--" + name + " is required");
            }
            return value;
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(problem + "; usage: BenchMain --backend emulator|kvm"
                    + " --environment NAME --native DIR --out FILE [--quick] [--command TEXT]");
        }
    }
}
