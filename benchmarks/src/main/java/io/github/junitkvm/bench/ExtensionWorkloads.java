package io.github.junitkvm.bench;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.guest.GuestSpec;
import io.github.junitkvm.guest.GuestSpecReader;
import io.github.junitkvm.guest.GuestVm;
import io.github.junitkvm.guest.MachinePool;
import io.github.junitkvm.guest.MachineSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The extension's side without JUnit: each VM made as the extension makes a test's VM
 * ({@link GuestVm#create} from the {@code @KvmGuest} read by {@link GuestSpecReader}), run, its
 * result checked, and closed. A wrong result stops the benchmark: it would measure nothing.
 */
public final class ExtensionWorkloads {
    /** Generous: a long OUT loop inside the QEMU guest takes seconds. */
    private static final Duration LONG_RUN = Duration.ofMinutes(5);

    private final Hypervisor hypervisor;
    private final GuestSpecReader reader = new GuestSpecReader(ExtensionWorkloads.class.getClassLoader());

    /** @param hypervisor the backend the VMs are created on */
    public ExtensionWorkloads(Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    /**
     * @param guest the 2+2 guest
     * @param budget the least time the round lasts
     * @return a round: microseconds per VM created, loaded, run, checked and closed
     */
    public Round lifecycle(KvmGuest guest, Duration budget) {
        GuestSpec spec = reader.read(guest);
        return () -> TimedLoop.microsPerUnit(budget, () -> {
            try (GuestVm vm = GuestVm.create(hypervisor, spec)) {
                requireTwoPlusTwo(vm.run());
            }
            return 1;
        });
    }

    /**
     * @param guest the 2+2 guest
     * @param budget how long the round should last at least
     * @return a round: microseconds per VM as {@link #lifecycle}, but with the machines of a
     *     {@link MachinePool}, so that every VM but the round's first gets a reset machine
     */
    public Round reusedLifecycle(KvmGuest guest, Duration budget) {
        GuestSpec spec = reader.read(guest);
        return () -> {
            try (MachinePool pool = new MachinePool()) {
                MachineSource machines = pool.on(hypervisor);
                return TimedLoop.microsPerUnit(budget, () -> {
                    try (GuestVm vm = GuestVm.create(machines, spec, run -> { })) {
                        requireTwoPlusTwo(vm.run());
                    }
                    return 1;
                });
            }
        };
    }

    /**
     * @param guest the OUT loop guest
     * @param budget how long one run should last; its exit count adapts to it
     * @return a round: exits per second of one run (the VM's creation is not timed), every exit
     *     recorded as the extension records them
     */
    public Round exits(KvmGuest guest, Duration budget) {
        GuestSpec loop = reader.read(guest);
        Budgeted exits = new Budgeted(budget, 10_000, 0xffff_ffffL);
        return () -> {
            long count = exits.count();
            try (GuestVm vm = GuestVm.create(hypervisor, loop)) {
                vm.setRegisters(vm.registers().withRcx(count));
                long start = System.nanoTime();
                GuestRun run = vm.run(LONG_RUN);
                long elapsed = System.nanoTime() - start;
                if (run.lastExit().reason() != ExitReason.HLT || run.exits().size() != count + 1) {
                    throw new IllegalStateException("the OUT loop of " + count + " made " + run.exits().size()
                            + " exits and stopped with " + run.lastExit());
                }
                exits.took(elapsed);
                return (count + 1) / (elapsed / 1e9);
            }
        };
    }

    /**
     * Keeps VMs alive, each created and run once, and measures the memory they add to this JVM and
     * the processes it started ({@link MemoryProbe#totalKib()}).
     *
     * @param guest the 2+2 guest
     * @param vms how many at once
     * @return a round: KiB per live VM
     */
    public Round memory(KvmGuest guest, int vms) {
        GuestSpec spec = reader.read(guest);
        return () -> {
            List<GuestVm> live = new ArrayList<>();
            try {
                long before = MemoryProbe.totalKib();
                for (int i = 0; i < vms; i++) {
                    GuestVm vm = GuestVm.create(hypervisor, spec);
                    live.add(vm);
                    requireTwoPlusTwo(vm.run());
                }
                return (MemoryProbe.totalKib() - before) / (double) vms;
            } finally {
                live.forEach(GuestVm::close);
            }
        };
    }

    /**
     * @param guest any guest
     * @param budget the least time the round lasts
     * @return a round: microseconds per {@code registers()} call on a live VM, which on the emulator
     *     is one request to the worker and its reply
     */
    public Round registerRoundTrip(KvmGuest guest, Duration budget) {
        GuestSpec spec = reader.read(guest);
        return () -> {
            try (GuestVm vm = GuestVm.create(hypervisor, spec)) {
                return TimedLoop.microsPerUnit(budget, () -> {
                    vm.registers();
                    return 1;
                });
            }
        };
    }

    private static void requireTwoPlusTwo(GuestRun run) {
        if (run.lastExit().reason() != ExitReason.HLT || !run.serialOutput().equals("4\n")) {
            throw new IllegalStateException("the 2+2 guest printed '" + run.serialOutput() + "' and stopped with "
                    + run.lastExit());
        }
    }
}
