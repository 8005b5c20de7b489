package io.github.junitkvm.guest;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stops runs that go on too long: past their time limit, or once their thread is interrupted (as
 * JUnit's {@code @Timeout} does), a run's stop action is called. A guest blocked in the hypervisor
 * cannot notice either by itself, so one daemon thread checks every run in progress. A watch also
 * remembers why its run was asked to stop, which may be a close of its VM.
 */
final class RunWatchdog {
    /** How often a run is checked: the precision of time limits and of noticing an interrupt. */
    private static final long PERIOD_MILLIS = 5;

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "junit-kvm-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /** The longest limit {@link System#nanoTime()} can measure, about 292 years. */
    private static final Duration LONGEST_LIMIT = Duration.ofNanos(Long.MAX_VALUE);

    private RunWatchdog() {
    }

    /**
     * @param limit a run's time limit, positive
     * @return the limit, or the longest one a watch can measure (about 292 years, so no limit in
     *     effect) if it is longer; a longer one would overflow the arithmetic of nanoseconds
     */
    static Duration measurable(Duration limit) {
        return limit.compareTo(LONGEST_LIMIT) < 0 ? limit : LONGEST_LIMIT;
    }

    /**
     * Starts watching the calling thread's run.
     *
     * @param limit the run's time limit, at most {@link #measurable(Duration) measurable}
     * @param stop what stops the run; called from the watchdog's thread, again at every check
     *     until the watch is closed
     * @return the watch, to close when the run has returned
     */
    static Watch watchCurrentThread(Duration limit, Runnable stop) {
        return new Watch(Thread.currentThread(), System.nanoTime() + limit.toNanos(), stop);
    }

    /** Why a watched run was asked to stop: the first reason that came up. */
    enum Verdict {
        /** Nothing has asked the run to stop. */
        NONE,
        /** The time limit passed. */
        TIME_LIMIT,
        /** The running thread was interrupted. */
        INTERRUPTED,
        /** The run's VM is being closed, which stops the run. */
        CLOSED
    }

    /** One run being watched. */
    static final class Watch implements AutoCloseable {
        private final Thread runner;
        private final long deadlineNanos;
        private final Runnable stop;
        private final ScheduledFuture<?> check;
        private final AtomicReference<Verdict> verdict = new AtomicReference<>(Verdict.NONE);

        private Watch(Thread runner, long deadlineNanos, Runnable stop) {
            this.runner = runner;
            this.deadlineNanos = deadlineNanos;
            this.stop = stop;
            this.check = TIMER.scheduleAtFixedRate(this::check, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }

        /**
         * Once the verdict is in, asks for the stop at every check until the run has returned: a
         * backend ignores a request that comes before its run has really started, so one request
         * could be lost to a run that is just beginning.
         */
        private void check() {
            if (verdict.get() == Verdict.NONE) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    verdict.compareAndSet(Verdict.NONE, Verdict.TIME_LIMIT);
                } else if (runner.isInterrupted()) {
                    verdict.compareAndSet(Verdict.NONE, Verdict.INTERRUPTED);
                } else {
                    return;
                }
            }
            stop.run();
        }

        /**
         * The run's VM is being closed, which stops the run by itself: the verdict, unless another
         * reason came first. Callable from any thread.
         */
        void closing() {
            verdict.compareAndSet(Verdict.NONE, Verdict.CLOSED);
        }

        /** @return why the run was asked to stop, or {@link Verdict#NONE} */
        Verdict verdict() {
            return verdict.get();
        }

        @Override
        public void close() {
            check.cancel(false);
        }
    }
}
