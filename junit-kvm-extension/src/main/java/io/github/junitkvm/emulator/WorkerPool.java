package io.github.junitkvm.emulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Lends workers to machines, one machine per worker at a time, and keeps a few idle ones so that
 * the next machine does not wait for a JVM to start. Dead workers are never lent; they are dropped
 * and a fresh worker is started on demand. The pool owns its workers: {@link #close()} ends them
 * all. Thread-safe.
 */
final class WorkerPool implements AutoCloseable {
    /**
     * A worker that has served this many machines is retired: each Unicorn engine may leave a little
     * memory behind (upstream issues 236, 564, 1596), which ending the process reclaims. Retiring is
     * not free: the next machine waits for a new JVM (0.1-0.3 s) and then runs on cold code, which
     * at 500 machines per worker doubled the mean cost of a machine (tools/bench). With Debian's
     * libunicorn 2.0.1 a worker's RSS stayed between 75 and 160 MiB over 20,000 REAL and 6,000 LONG
     * machines, so this bound is for safety, not for a measured leak.
     */
    static final int MACHINES_PER_WORKER = 10_000;

    private final Supplier<WorkerProcess> starter;
    private final int maxIdle;
    private final Deque<WorkerProcess> idle = new ArrayDeque<>();
    /** Every worker the pool owns, idle or leased, with how many engines it has served. */
    private final Map<WorkerProcess, Integer> served = new IdentityHashMap<>();
    private boolean closed;

    /**
     * @param starter starts a ready worker, or throws
     * @param maxIdle how many idle workers to keep at most
     */
    WorkerPool(Supplier<WorkerProcess> starter, int maxIdle) {
        this.starter = starter;
        this.maxIdle = maxIdle;
    }

    /**
     * @return a live worker for one machine
     * @throws io.github.junitkvm.backend.HypervisorUnavailableException if a new worker cannot load
     *     Unicorn
     * @throws io.github.junitkvm.backend.TransientHypervisorException if a new worker cannot start,
     *     for a reason that may pass
     * @throws IllegalStateException if the pool is closed
     */
    WorkerProcess lease() {
        requireOpen();
        WorkerProcess worker;
        while ((worker = pollIdle()) != null) {
            if (worker.isAlive()) {
                synchronized (this) {
                    served.merge(worker, 1, Integer::sum);
                }
                return worker;
            }
            discard(worker);
        }
        // Starting a JVM takes a while: not under the lock, so that other machines are not held up.
        worker = starter.get();
        synchronized (this) {
            if (!closed) {
                served.put(worker, 1);
                return worker;
            }
        }
        worker.shutdown();
        throw closedException();
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw closedException();
        }
    }

    private static IllegalStateException closedException() {
        return new IllegalStateException("the emulator is closed: its test run is over");
    }

    private synchronized WorkerProcess pollIdle() {
        return idle.pollFirst();
    }

    /**
     * Takes back a worker whose machine is closed and whose engine is discarded; once the pool is
     * closed, ends it.
     *
     * @param worker the worker
     */
    void giveBack(WorkerProcess worker) {
        synchronized (this) {
            if (!closed && worker.isAlive() && idle.size() < maxIdle && served.getOrDefault(worker, 0) < MACHINES_PER_WORKER) {
                idle.addFirst(worker);
                return;
            }
            served.remove(worker);
        }
        worker.shutdown();
    }

    /**
     * Counts one more engine of a leased worker, which a machine's reset opened.
     *
     * @param worker the worker
     */
    synchronized void engineOpened(WorkerProcess worker) {
        served.computeIfPresent(worker, (w, count) -> count + 1);
    }

    /**
     * Drops a worker that died or can no longer be trusted.
     *
     * @param worker the worker
     */
    void discard(WorkerProcess worker) {
        synchronized (this) {
            served.remove(worker);
        }
        worker.kill("it was discarded");
        worker.shutdown();
    }

    /**
     * Ends every worker: the idle ones exit, the leased ones are killed (a machine still open on one
     * then finds its worker dead, and ends it when it is closed). Idempotent.
     */
    @Override
    public void close() {
        List<WorkerProcess> idleWorkers;
        List<WorkerProcess> leased;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            idleWorkers = List.copyOf(idle);
            idle.clear();
            leased = served.keySet().stream().filter(worker -> !idleWorkers.contains(worker)).toList();
            served.clear();
        }
        leased.forEach(worker -> worker.kill("the emulator was closed: its test run is over"));
        idleWorkers.forEach(WorkerProcess::shutdown);
    }

    /** @return how many idle workers the pool holds */
    synchronized int idleCount() {
        return idle.size();
    }
}
