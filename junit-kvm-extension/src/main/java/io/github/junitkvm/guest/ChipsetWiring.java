package io.github.junitkvm.guest;

import io.github.junitkvm.GuestClock;
import io.github.junitkvm.chipset.Chipset;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The guest's modelled interrupt controllers and timers ({@link Chipset}) wired into the VM: an
 * {@link InterruptController} on the vCPU's {@link InterruptPin}, the {@link IdleParticipant} that
 * moves the virtual clock for a halted guest, the built-in device behind their ports and the local
 * APIC's page, and the {@link GuestClock} the test sees. Every access is under this object's
 * lock, since the pin asks {@link #requesting()} from any thread; the pin is told of a change
 * after the lock is released, as the pin's contract asks.
 */
final class ChipsetWiring implements InterruptController, IdleParticipant, GuestClock {
    private final Chipset chipset;
    private final InterruptPin pin;
    private final Runnable checkUsable;

    /**
     * @param chipset the devices
     * @param pin the vCPU's pin, which this attaches to
     * @param checkUsable throws if the test may not use the VM now (closed, or another thread's run)
     */
    ChipsetWiring(Chipset chipset, InterruptPin pin, Runnable checkUsable) {
        this.chipset = chipset;
        this.pin = pin;
        this.checkUsable = checkUsable;
        pin.attach(this);
        pin.whenIdle(this);
    }

    @Override
    public synchronized boolean requesting() {
        return chipset.requesting();
    }

    @Override
    public synchronized int acknowledge() {
        return chipset.acknowledge();
    }

    @Override
    public void guestIdle() {
        synchronized (this) {
            chipset.idle();
        }
        pin.outputChanged();
    }

    /** A rising edge on a PIC input: see {@link io.github.junitkvm.KvmVm#raiseIrq(int)}. */
    void raiseIrq(int irq) {
        synchronized (this) {
            chipset.pulseIrq(irq);
        }
        pin.outputChanged();
    }

    Set<Integer> ports() {
        return chipset.ports();
    }

    synchronized boolean servesPort(int port) {
        return chipset.servesPort(port);
    }

    long portIn(int port, int size) {
        long value;
        synchronized (this) {
            value = chipset.portIn(port, size);
        }
        pin.outputChanged();
        return value;
    }

    void portOut(int port, int size, long value) {
        synchronized (this) {
            chipset.portOut(port, size, value);
        }
        pin.outputChanged();
    }

    synchronized boolean servesMmio(long address) {
        return chipset.servesMmio(address);
    }

    long mmioRead(long address, int size) {
        long value;
        synchronized (this) {
            value = chipset.mmioRead(address, size);
        }
        pin.outputChanged();
        return value;
    }

    void mmioWrite(long address, int size, long value) {
        synchronized (this) {
            chipset.mmioWrite(address, size, value);
        }
        pin.outputChanged();
    }

    @Override
    public Duration now() {
        checkUsable.run();
        synchronized (this) {
            return Duration.ofNanos(chipset.clock().now());
        }
    }

    @Override
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        checkUsable.run();
        if (duration.isNegative()) {
            throw new IllegalArgumentException("GuestClock.advance(" + duration + "): the clock cannot go back");
        }
        long nanos;
        try {
            nanos = duration.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("GuestClock.advance(" + duration + "): past the clock's end, 2^63 - 1 ns", e);
        }
        synchronized (this) {
            chipset.clock().advanceBy(nanos);
        }
        pin.outputChanged();
    }
}
