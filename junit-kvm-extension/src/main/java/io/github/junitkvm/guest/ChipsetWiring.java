package io.github.junitkvm.guest;

import io.github.junitkvm.Device;
import io.github.junitkvm.GuestClock;
import io.github.junitkvm.chipset.Chipset;
import io.github.junitkvm.chipset.ProcessorSignals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The guest's modelled interrupt controllers and timers ({@link Chipset}) wired into the VM: an
 * {@link InterruptController} on each vCPU's {@link InterruptPin}, the {@link IdleParticipant}
 * that moves the virtual clock for a halted bootstrap processor, the built-in device behind their
 * ports and the local APIC's page (the APIC of the vCPU whose access it is), and the
 * {@link GuestClock} the test sees. Every access is under this object's lock, since the pins ask
 * {@link Chipset#requesting} from any thread; the pins are told of a change, and the IPIs for
 * processors ({@link ProcessorSignals}) served, after the lock is released, as the pin's contract
 * asks.
 */
final class ChipsetWiring implements IdleParticipant, GuestClock {
    private final Chipset chipset;
    private final List<InterruptPin> pins;
    private final ProcessorSignals processors;
    private final IntSupplier accessingVcpu;
    private final Runnable checkUsable;
    /** The processor IPIs an access sent, served once it has released the lock; guarded by this. */
    private final List<Runnable> signalsSent = new ArrayList<>();

    /**
     * @param devices the devices to model
     * @param pins each vCPU's pin, by index, which this attaches to if there are devices (without,
     *     a halt costs the pin nothing, and the clock merely keeps the test's time)
     * @param processors serves the NMI, INIT and start-up IPIs the local APICs send
     * @param accessingVcpu during an access, the vCPU that makes it
     * @param checkUsable throws if the test may not use the VM now (closed, or another thread's run)
     */
    ChipsetWiring(Set<Device> devices, List<InterruptPin> pins, ProcessorSignals processors, IntSupplier accessingVcpu,
                  Runnable checkUsable) {
        this.chipset = new Chipset(devices, pins.size(), new DeferredSignals());
        this.pins = pins;
        this.processors = processors;
        this.accessingVcpu = accessingVcpu;
        this.checkUsable = checkUsable;
        if (!devices.isEmpty()) {
            for (int vcpu = 0; vcpu < pins.size(); vcpu++) {
                pins.get(vcpu).attach(new VcpuOutput(vcpu));
            }
            pins.get(0).whenIdle(this);
        }
    }

    /** The chipset's output to one vCPU. */
    private final class VcpuOutput implements InterruptController {
        private final int vcpu;

        VcpuOutput(int vcpu) {
            this.vcpu = vcpu;
        }

        @Override
        public boolean requesting() {
            synchronized (ChipsetWiring.this) {
                return chipset.requesting(vcpu);
            }
        }

        @Override
        public int acknowledge() {
            synchronized (ChipsetWiring.this) {
                return chipset.acknowledge(vcpu);
            }
        }
    }

    /** Keeps the processor IPIs sent under the lock, for {@link #change} to serve after it. */
    private final class DeferredSignals implements ProcessorSignals {
        @Override
        public void nmi(int vcpu) {
            signalsSent.add(() -> processors.nmi(vcpu));
        }

        @Override
        public void init(int vcpu) {
            signalsSent.add(() -> processors.init(vcpu));
        }

        @Override
        public void startUp(int vcpu, int vector) {
            signalsSent.add(() -> processors.startUp(vcpu, vector));
        }
    }

    @Override
    public void guestIdle(IntPredicate waiting) {
        change(() -> chipset.idle(waiting));
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
        int vcpu = accessingVcpu.getAsInt();
        return change(() -> chipset.mmioRead(vcpu, address, size));
    }

    void mmioWrite(long address, int size, long value) {
        int vcpu = accessingVcpu.getAsInt();
        change(() -> {
            chipset.mmioWrite(vcpu, address, size, value);
            return null;
        });
    }

    /**
     * Runs {@code access} under the lock, then, outside it, tells the pins that their outputs may
     * have changed and serves the processor IPIs the access sent.
     */
    private <T> T change(Supplier<T> access) {
        T result;
        List<Runnable> signals;
        synchronized (this) {
            result = access.get();
            signals = List.copyOf(signalsSent);
            signalsSent.clear();
        }
        for (InterruptPin pin : pins) {
            pin.outputChanged();
        }
        signals.forEach(Runnable::run);
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
