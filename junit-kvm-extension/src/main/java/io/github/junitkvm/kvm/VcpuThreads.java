package io.github.junitkvm.kvm;

import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.StopCause;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One run of a machine of several vCPUs: each vCPU runs {@code KVM_RUN} on a thread of its own,
 * and every exit goes through {@link RelayedExits} to the thread that called {@link #run}, which
 * calls the listener while the vCPU waits: the listeners see one exit at a time, on one thread,
 * as in a run of one vCPU. A vCPU without a listener gets no thread, and does not run. A vCPU
 * that stops on {@code HLT} waits there, as a halted CPU does, and runs on when an interrupt it can
 * take or an NMI is requested for it; once every vCPU has halted, their threads end. One that
 * stops for anything else stops the others, and the run ends when every thread has.
 */
final class VcpuThreads {
    private final List<KvmVcpu> vcpus;
    /** What the calling thread does next: an exit to serve, or a vCPU thread's end. */
    private final BlockingQueue<Runnable> work = new LinkedBlockingQueue<>();
    /** Set once the run is to end; read by each thread after its vCPU can be stopped. */
    private volatile boolean stopping;
    private final StopCause[] stops;
    private final Throwable[] failures;
    /** Guards {@link #halted} and {@link #allHalted}. */
    private final Object halts = new Object();
    /** How many vCPU threads this run started. */
    private int threadCount;
    /** How many of them wait on {@code HLT}. */
    private int halted;
    /** Set once every vCPU thread waited on {@code HLT} at the same time: then none wakes in this run. */
    private boolean allHalted;

    /** @param vcpus the machine's vCPUs */
    VcpuThreads(List<KvmVcpu> vcpus) {
        this.vcpus = vcpus;
        this.stops = new StopCause[vcpus.size()];
        this.failures = new Throwable[vcpus.size()];
    }

    /**
     * @param stopPorts ports whose {@code OUT} stops the run
     * @param listeners one per vCPU
     * @return why each vCPU stopped
     */
    List<StopCause> run(Set<Integer> stopPorts, List<ExitListener> listeners) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < vcpus.size(); i++) {
            if (listeners.get(i) == null) {
                continue;
            }
            int vcpu = i;
            Thread thread = new Thread(() -> runVcpu(vcpu, stopPorts, listeners.get(vcpu)), "kvm-vcpu-" + vcpu);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threadCount = threads.size();
        threads.forEach(Thread::start);
        boolean interrupted = false;
        int running = threads.size();
        while (running > 0) {
            Runnable next;
            try {
                next = work.take();
            } catch (InterruptedException e) {
                // The vCPUs must be stopped and their threads awaited whatever happens to this one.
                interrupted = true;
                stopAll();
                continue;
            }
            if (next instanceof Ended) {
                running--;
            } else {
                next.run();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        rethrowFailure();
        return Arrays.asList(stops);
    }

    private void runVcpu(int vcpu, Set<Integer> stopPorts, ExitListener listener) {
        try {
            StopCause stop;
            do {
                stop = vcpus.get(vcpu).run(stopPorts, new RelayedExits(listener, work), () -> {
                    if (stopping) {
                        vcpus.get(vcpu).requestStop();
                    }
                });
            } while (stop.kind() == StopCause.Kind.HLT && wokenFromHalt(vcpu));
            stops[vcpu] = stop;
            if (stop.kind() != StopCause.Kind.HLT) {
                stopAll();
            }
        } catch (RuntimeException | Error e) {
            failures[vcpu] = e;
            stopAll();
        } finally {
            work.add(new Ended());
        }
    }

    /**
     * Waits, the vCPU halted, until it can take an interrupt or NMI requested for it, or until the
     * run ends: every vCPU halted, or the run is stopping. The lines change on other threads without
     * telling this one, so it looks at them again every millisecond.
     *
     * @return whether the vCPU runs on
     */
    private boolean wokenFromHalt(int vcpu) {
        synchronized (halts) {
            halted++;
            try {
                while (true) {
                    if (halted == threadCount) {
                        allHalted = true;
                        halts.notifyAll();
                    }
                    if (allHalted || stopping) {
                        return false;
                    }
                    if (vcpus.get(vcpu).wakesFromHalt()) {
                        return true;
                    }
                    halts.wait(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                halted--;
            }
        }
    }

    /** Stops every vCPU: those whose run has begun now, the others as theirs begins. */
    void stopAll() {
        stopping = true;
        vcpus.forEach(KvmVcpu::requestStop);
    }

    /** A failure of a listener, or of KVM, on a vCPU's thread fails the run, as it would with one vCPU. */
    private void rethrowFailure() {
        Throwable failure = Arrays.stream(failures).filter(f -> f != null).findFirst().orElse(null);
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
    }

    /** The end of a vCPU's thread, as the calling thread learns it. */
    private static final class Ended implements Runnable {
        @Override
        public void run() {
        }
    }
}
