package io.github.junitkvm.guest;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestVcpu;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The vCPUs over one {@code KvmVm.run()}, which may run the machine several times (once per guest
 * library log line, and once more each time halted vCPUs wake): a vCPU that has halted stays halted
 * until it is woken ({@link #wake}), the others run again, and at the end
 * each vCPU's stop is known, and which vCPU's stop ended the run.
 */
final class VcpuRun {
    private final VirtualMachine machine;
    private final IntFunction<ExitListener> listenerOf;
    private final StopCause[] stops;
    /** Which vCPUs have been started: the BSP, and each AP at its entry or by a start-up. */
    private final boolean[] started;
    /** Whether an AP was started during the machine's run, which must run again to include it. */
    private boolean startPending;
    /** The vCPU whose stop ended the last machine run; -1 when it was stopped from outside. */
    private int ender;

    /**
     * @param machine the machine
     * @param vcpus how many vCPUs it has
     * @param listenerOf the listener of each vCPU
     * @param started which vCPUs run from the start; the others wait for {@link #start}
     */
    VcpuRun(VirtualMachine machine, int vcpus, IntFunction<ExitListener> listenerOf, boolean[] started) {
        this.machine = machine;
        this.listenerOf = listenerOf;
        this.stops = new StopCause[vcpus];
        this.started = started;
    }

    /**
     * Starts a vCPU that waits for its start: during a machine run, that run is stopped, and
     * {@link #run} runs the machine again with the vCPU.
     *
     * @param vcpu the vCPU, its registers set for its start
     */
    void start(int vcpu) {
        started[vcpu] = true;
        startPending = true;
        machine.requestStop();
    }

    /**
     * Runs the machine as {@link #runOnce} does, again as long as a vCPU was started during the
     * run and nothing else stopped it.
     *
     * @param stopPorts ports whose {@code OUT} stops the machine
     * @param stoppedFromOutside whether the run was stopped by the time limit, the test or a failed handler
     * @return the stop that ended the machine's run
     */
    StopCause run(Set<Integer> stopPorts, BooleanSupplier stoppedFromOutside) {
        while (true) {
            startPending = false;
            StopCause cause = runOnce(stopPorts);
            boolean startStoppedIt = cause.kind() == StopCause.Kind.STOP_REQUESTED || cause.kind() == StopCause.Kind.HLT;
            if (!startPending || !startStoppedIt || stoppedFromOutside.getAsBoolean()) {
                return cause;
            }
            for (int vcpu = 0; vcpu < stops.length; vcpu++) {
                if (stops[vcpu] != null && stops[vcpu].kind() == StopCause.Kind.STOP_REQUESTED) {
                    stops[vcpu] = null;
                }
            }
        }
    }

    /**
     * Runs the machine: every vCPU that has not halted in this {@code KvmVm.run()}.
     *
     * @param stopPorts ports whose {@code OUT} stops the machine
     * @return the stop that ended the machine's run: the first vCPU's (by index) that stopped for
     *     anything but {@code HLT} or a stop request, else a stop request if there was one (a stop
     *     from outside), else {@code HLT}: every vCPU halted
     */
    private StopCause runOnce(Set<Integer> stopPorts) {
        if (stops.length == 1) {
            stops[0] = machine.run(stopPorts, listenerOf.apply(0));
            ender = stops[0].kind() == StopCause.Kind.STOP_REQUESTED ? -1 : 0;
            return stops[0];
        }
        List<ExitListener> listeners = IntStream.range(0, stops.length)
                .mapToObj(vcpu -> halted(vcpu) || !started[vcpu] ? null : listenerOf.apply(vcpu)).toList();
        List<StopCause> now = machine.runAll(stopPorts, listeners);
        for (int vcpu = 0; vcpu < stops.length; vcpu++) {
            if (now.get(vcpu) != null) {
                stops[vcpu] = now.get(vcpu);
            }
        }
        for (int vcpu = 0; vcpu < stops.length; vcpu++) {
            if (stops[vcpu] == null) {
                continue;   // waiting for its start
            }
            StopCause.Kind kind = stops[vcpu].kind();
            if (kind != StopCause.Kind.HLT && kind != StopCause.Kind.STOP_REQUESTED) {
                ender = vcpu;
                return stops[vcpu];
            }
        }
        for (StopCause stop : stops) {
            if (stop != null && stop.kind() == StopCause.Kind.STOP_REQUESTED) {
                ender = -1;
                return stop;
            }
        }
        ender = 0;
        return stops[0];
    }

    /**
     * A halted vCPU takes an interrupt: the next machine run includes it again.
     *
     * @param vcpu the vCPU, halted
     */
    void wake(int vcpu) {
        stops[vcpu] = null;
    }

    /** @return whether the vCPU halted in this {@code KvmVm.run()} and stays halted */
    boolean halted(int vcpu) {
        return stops[vcpu] != null && stops[vcpu].kind() == StopCause.Kind.HLT;
    }

    /** @return the vCPU the run's last exit is recorded for: the one whose stop ended the run, else 0 */
    int lastExitVcpu() {
        return Math.max(ender, 0);
    }

    /**
     * @param recorder the run's recorder, its last exit recorded
     * @param last the run's last exit
     * @return what each vCPU did, by index; each one's exits end with its stop
     */
    List<GuestVcpu> records(ExitRecorder recorder, VmExit last) {
        return IntStream.range(0, stops.length).<GuestVcpu>mapToObj(vcpu -> {
            VmExit stop = stopOf(vcpu, last);
            List<VmExit> exits = recorder.exitsOf(vcpu);
            if (vcpu != lastExitVcpu()) {
                exits = Stream.concat(exits.stream(), Stream.of(stop)).toList();
            }
            // vCPU 0's through the methods without an index, which a guest of one vCPU has.
            return new RecordedVcpu(vcpu, stop, exits,
                    vcpu == 0 ? StateAtStop.read(machine) : StateAtStop.read(machine, vcpu));
        }).toList();
    }

    private VmExit stopOf(int vcpu, VmExit last) {
        if (stops[vcpu] == null) {
            return VmExit.of(ExitReason.STOPPED, 0, "never started: it waits for a start-up (KvmVm.startVcpu)");
        }
        if (vcpu == ender || ender == -1 && !halted(vcpu) || stops.length == 1) {
            return last;
        }
        if (halted(vcpu)) {
            return VmExit.hlt();
        }
        return VmExit.of(ExitReason.STOPPED, 0, "stopped where it was when vCPU " + ender + " ended the run ("
                + last.reason() + ")");
    }
}
