package io.github.junitkvm.bench;

import java.util.Arrays;

/**
 * One measured quantity of one subject: what a row of the results means. The {@link #id()} is what
 * the CSV file stores.
 */
public enum Series {
    /** The C program's create, load, run-to-HLT and close loop, per VM. */
    LIFECYCLE_C(Metric.LIFECYCLE, "c", "C loop, same calls"),
    /**
     * The C program reusing one VM: reload the code and registers, run to HLT; what a fast reset
     * between tests could cost at best.
     */
    LIFECYCLE_C_RESET(Metric.LIFECYCLE, "c-reset", "C, one VM reused: reload+run (no create/close)"),
    /** The extension's {@code GuestVm}: create, load, run, check the run, close, per VM. */
    LIFECYCLE_VM(Metric.LIFECYCLE, "vm", "extension: GuestVm create+run+close"),
    /**
     * The same through a {@code MachinePool}, as with {@code junitkvm.reuseVms=true}: the VM's
     * machine is a reset one of the previous VM, and goes back to the pool, reset, on close.
     */
    LIFECYCLE_VM_REUSED(Metric.LIFECYCLE, "vm-reused", "extension: GuestVm on a reused machine (reuseVms)"),
    /** A {@code @KvmGuest} test with a {@code GuestRun} and four assertions, through the JUnit launcher. */
    LIFECYCLE_TEST(Metric.LIFECYCLE, "test", "extension: @KvmGuest test via JUnit launcher"),
    /** A plain JUnit test with one assertion and no VM, through the same launcher: JUnit's own share. */
    LIFECYCLE_JUNIT(Metric.LIFECYCLE, "junit", "plain JUnit test (no VM) via launcher"),
    /** One {@code qemu-system-x86_64 -accel tcg} process per test. */
    LIFECYCLE_QEMU_TCG(Metric.LIFECYCLE, "qemu-tcg", "one QEMU process per test (TCG)"),
    /** One {@code qemu-system-x86_64 -accel kvm} process per test. */
    LIFECYCLE_QEMU_KVM(Metric.LIFECYCLE, "qemu-kvm", "one QEMU process per test (KVM)"),
    /** Emulator only: the same request and reply between two C processes over pipes, nothing else done. */
    ROUND_TRIP_C(Metric.ROUND_TRIP, "c", "C: two processes over pipes"),
    /** Emulator only: one request and reply between the test JVM and its worker. */
    ROUND_TRIP_WORKER(Metric.ROUND_TRIP, "worker", "extension: one worker round trip"),
    /** Exits of a guest doing nothing but {@code OUT}, handled by the C program. */
    EXITS_C(Metric.EXITS, "c", "C loop"),
    /** The same guest through the extension's {@code GuestVm.run}, every exit recorded. */
    EXITS_EXTENSION(Metric.EXITS, "extension", "extension: GuestVm.run"),
    /** Emulator only: the same guest in libunicorn in this JVM, a JNA callback counting each exit. */
    EXITS_JNA(Metric.EXITS, "jna", "JNA callback in-process, no worker"),
    /** The C program's resident memory per live VM. */
    MEMORY_C(Metric.MEMORY, "c", "C, per live VM"),
    /** The extension's resident memory (PSS) per live VM: this JVM plus its emulator workers. */
    MEMORY_EXTENSION(Metric.MEMORY, "extension", "extension, per live VM");

    private final Metric metric;
    private final String subject;
    private final String label;

    Series(Metric metric, String subject, String label) {
        this.metric = metric;
        this.subject = subject;
        this.label = label;
    }

    /** @return what is measured */
    public Metric metric() {
        return metric;
    }

    /** @return who is measured, unique within the metric */
    public String subject() {
        return subject;
    }

    /** @return a human description */
    public String label() {
        return label;
    }

    /** @return {@code metric/subject}, as the CSV file stores it */
    public String id() {
        return metric.id() + "/" + subject;
    }

    /**
     * @param id a {@link #id()}
     * @return the series
     * @throws IllegalArgumentException if no series has that id
     */
    public static Series byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no benchmark series '" + id + "'"));
    }

    /** What a series measures, and in which unit. */
    public enum Metric {
        /** Wall time of one VM's whole life, or of one test. */
        LIFECYCLE("lifecycle", "µs per VM", false),
        /** Wall time of one request to the emulator worker and its reply. */
        ROUND_TRIP("round-trip", "µs", false),
        /** Exits handled per second of a run. */
        EXITS("exits", "exits/s", true),
        /** Resident memory per live VM. */
        MEMORY("memory", "KiB per VM", false);

        private final String id;
        private final String unit;
        private final boolean higherIsBetter;

        Metric(String id, String unit, boolean higherIsBetter) {
            this.id = id;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
        }

        /** @return the name in the CSV file */
        public String id() {
            return id;
        }

        /** @return the unit of its values */
        public String unit() {
            return unit;
        }

        /** @return whether a larger value is better */
        public boolean higherIsBetter() {
            return higherIsBetter;
        }
    }
}
