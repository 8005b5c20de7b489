package io.github.junitkvm.emulator;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs deadline actions (killing a worker that does not start or does not stop) on one shared
 * daemon thread, so that waiting on a worker's pipe never needs a timeout of its own.
 */
final class Watchdog {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "emulator-watchdog");
        thread.setDaemon(true);
        return thread;
    });

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
}
