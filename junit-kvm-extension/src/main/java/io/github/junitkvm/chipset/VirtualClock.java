package io.github.junitkvm.chipset;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest's time, in nanoseconds since the VM was created. It never follows the host's clock:
 * it moves when {@link #advanceTo(long)} is called (by the test, by a guest reading a counter, or
 * by an idle guest waiting for its next timer), and every timer on it then catches up at once.
 * Equal calls give equal time on every machine.
 */
public final class VirtualClock {
    private final List<Timer> timers = new ArrayList<>();
    private long now;

    /** A device that counts on this clock. */
    interface Timer {
        /**
         * @return the earliest time after {@code now} at which this timer would change the
         *     interrupts requested (raise a request that is not already there), or
         *     {@link Long#MAX_VALUE} if none; an idle guest's clock jumps there
         */
        long nextDeadline(long now);

        /** Brings the timer's state, and the interrupts it raises, up to {@code now}. */
        void catchUp(long now);
    }

    void register(Timer timer) {
        timers.add(timer);
    }

    /** @return the time in nanoseconds since the VM was created */
    public long now() {
        return now;
    }

    /**
     * Moves the time to {@code time}, which every timer catches up with.
     *
     * @throws IllegalArgumentException if {@code time} is before now
     */
    public void advanceTo(long time) {
        if (time < now) {
            throw new IllegalArgumentException(String.format(
                    "the clock cannot go back, from %d ns to %d ns", now, time));
        }
        now = time;
        for (Timer timer : timers) {
            timer.catchUp(time);
        }
    }

    /**
     * Moves the time on by {@code nanos}.
     *
     * @throws IllegalArgumentException if {@code nanos} is negative or takes the time past 2^63 - 1 ns
     */
    public void advanceBy(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("the clock cannot go back: " + nanos + " ns");
        }
        if (nanos > Long.MAX_VALUE - now) {
            throw new IllegalArgumentException(String.format(
                    "%d ns from %d ns is past the clock's end, 2^63 - 1 ns (292 years)", nanos, now));
        }
        advanceTo(now + nanos);
    }

    /** @return the earliest deadline of any timer, or {@link Long#MAX_VALUE} if none is armed */
    long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Timer timer : timers) {
            next = Math.min(next, timer.nextDeadline(now));
        }
        return next;
    }
}
