package io.github.junitkvm.guest;

import io.github.junitkvm.Device;
import io.github.junitkvm.GuestClock;
import io.github.junitkvm.chipset.Chipset;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

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
     * @param devices the devices to model
     * @param pin the vCPU's pin, which this attaches to if there are devices (without, a halt costs
     *     the pin nothing, and the clock merely keeps the test's time)
     * @param checkUsable throws if the test may not use the VM now (closed, or another thread's run)
     */
    ChipsetWiring(Set<Device> devices, InterruptPin pin, Runnable checkUsable) {
        this.chipset = new Chipset(devices);
        this.pin = pin;
        this.checkUsable = checkUsable;
        if (!devices.isEmpty()) {
            pin.attach(this);
            pin.whenIdle(this);
        }
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
        change(chipset::idle);
    }

    /** A rising edge on a PIC input: see {@link io.github.junitkvm.KvmVm#raiseIrq(int)}. */
    void raiseIrq(int irq) {
        change(() -> {
            chipset.pulseIrq(irq);
            return null;
        });
    }

    Set<Integer> ports() {
        return chipset.ports();
    }

    synchronized boolean servesPort(int port) {
        return chipset.servesPort(port);
    }

    long portIn(int port, int size) {
        return change(() -> chipset.portIn(port, size));
    }

    void portOut(int port, int size, long value) {
        change(() -> {
            chipset.portOut(port, size, value);
            return null;
        });
    }

    synchronized boolean servesMmio(long address) {
        return chipset.servesMmio(address);
    }

    long mmioRead(long address, int size) {
        return change(() -> chipset.mmioRead(address, size));
    }

    void mmioWrite(long address, int size, long value) {
        change(() -> {
            chipset.mmioWrite(address, size, value);
            return null;
        });
    }

    /** Runs {@code access} under the lock, then tells the pin, outside it, that the output may have changed. */
    private <T> T change(Supplier<T> access) {
        T result;
        synchronized (this) {
            result = access.get();
        }
        pin.outputChanged();
        return result;
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
        change(() -> {
            chipset.clock().advanceBy(nanos);
            return null;
        });
    }
}
