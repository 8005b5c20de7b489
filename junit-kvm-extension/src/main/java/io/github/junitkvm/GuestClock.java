package io.github.junitkvm;

import java.time.Duration;

/**
 * The guest's time, which the modelled timers ({@link Device#PIT}, {@link Device#LOCAL_APIC})
 * count: it starts at zero when the VM is created and moves only
 * <ul>
 *   <li>when the test calls {@link #advance(Duration)}, between runs or from a handler in the
 *       middle of one;</li>
 *   <li>when the guest halts with interrupts enabled ({@code sti; hlt}) and no interrupt is
 *       requested: it jumps to the next timer deadline that raises one, and the guest wakes up
 *       there (with no such deadline the run stops on {@code HLT}, as without devices);</li>
 *   <li>by {@value #POLL_NANOS} ns at each read of a counter: ports {@code 0x40}–{@code 0x42}
 *       and {@code 0x61}, and the local APIC's current count, so that a guest polling a counter
 *       without halting (a calibration loop) sees it move.</li>
 * </ul>
 * Nothing else moves it: a guest spinning in {@code jmp .} with interrupts enabled sees no tick
 * and runs into the time limit. The same guest therefore gets the same ticks at the same
 * instructions on every backend and every machine, however fast.
 */
public interface GuestClock {
    /** The virtual time a read of a counter takes, in nanoseconds. */
    long POLL_NANOS = 1_000;

    /** @return the time since the VM was created */
    Duration now();

    /**
     * Moves the time on; the timers catch up, each latching the interrupt it raised on the way
     * (once: requests that the guest has not taken yet do not queue up).
     *
     * @param duration how far, not negative
     * @throws IllegalArgumentException if {@code duration} is negative or takes the time past
     *     2^63 - 1 ns
     */
    void advance(Duration duration);
}
