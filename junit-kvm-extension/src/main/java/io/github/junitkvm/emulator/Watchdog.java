package io.github.junitkvm.emulator;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs deadline actions (killing a worker that does not start, answer or stop) on one shared
 * daemon thread, so that waiting on a worker's pipe never needs a timeout of its own.
 *
 * <p>Replies, awaited by every call, are not scheduled one by one: a task per call would cost a
 * lock and an object kept for the whole deadline, tens of thousands a second in a busy test.
 * Instead each worker notes when its awaited reply is late, and the watchdog looks at the workers
 * a few times a second ({@link WorkerProcess#killIfLate}).
 */
final class Watchdog {
    /** How often late replies are looked for: the deadlines are seconds long. */
    private static final long SCAN_MILLIS = 200;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "emulator-watchdog");
        thread.setDaemon(true);
        return thread;
    });
    private static final Set<WorkerProcess> WORKERS = ConcurrentHashMap.newKeySet();

    static {
        TIMER.scheduleWithFixedDelay(Watchdog::scan, SCAN_MILLIS, SCAN_MILLIS, TimeUnit.MILLISECONDS);
    }

    private Watchdog() {
    }

    /**
     * @param millis the delay
     * @param action what to do unless cancelled first
     * @return cancel it with {@code cancel(false)}
     */
    static ScheduledFuture<?> after(long millis, Runnable action) {
        return TIMER.schedule(action, millis, TimeUnit.MILLISECONDS);
    }

    /** @param worker a worker whose late replies get it killed, until {@link #forget} */
    static void watch(WorkerProcess worker) {
        WORKERS.add(worker);
    }

    /** @param worker a worker that has ended */
    static void forget(WorkerProcess worker) {
        WORKERS.remove(worker);
    }

    private static void scan() {
        long now = System.nanoTime();
        for (WorkerProcess worker : WORKERS) {
            worker.killIfLate(now);
        }
    }
}
