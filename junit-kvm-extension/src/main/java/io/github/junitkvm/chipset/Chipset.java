package io.github.junitkvm.chipset;

import io.github.junitkvm.Device;
import io.github.junitkvm.GuestClock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The interrupt controllers and timers a guest asked for ({@link Device}), on one
 * {@link VirtualClock}: what the machine asks them (who serves a port or an address, whether an
 * interrupt is requested, its vector at the acknowledge) and tells them (the guest's accesses,
 * an idle guest). Reads of counters take {@link GuestClock#POLL_NANOS} of virtual time each, so
 * a guest polling one sees it move.
 *
 * <p>Interrupts reach the CPU as on a PC whose BIOS left the local APIC in virtual-wire mode: the
 * PIC's through the bootstrap processor's LINT0 (ExtINT) when there is a local APIC, taken before
 * the APIC's own (as KVM takes them), and the APIC's fixed interrupts by their priority. Each vCPU
 * has a local APIC of its own, its APIC ID the vCPU's index, at the same address: an access goes to
 * the APIC of the vCPU that makes it, and the vCPUs' interrupt requests are separate.
 */
public final class Chipset {
    /** The local APIC's page, where guest RAM must not be. */
    public static final long LOCAL_APIC_BASE = LocalApic.BASE;
    /** The size of the local APIC's page. */
    public static final int LOCAL_APIC_SIZE = LocalApic.SIZE;

    private final VirtualClock clock = new VirtualClock();
    private final PicPair pic;
    private final Pit8254 pit;
    /** Each vCPU's local APIC, by index; empty without {@link Device#LOCAL_APIC}. */
    private final List<LocalApic> apics;
    private final int vcpus;

    /**
     * @param devices the devices to model
     * @param vcpus how many vCPUs the machine has, each with its local APIC if there are any
     * @param processors serves the IPIs that reach a processor rather than its APIC (NMI, INIT, start-up)
     * @throws IllegalArgumentException if a device needs another that is not there (the PIT the PIC)
     */
    public Chipset(Set<Device> devices, int vcpus, ProcessorSignals processors) {
        if (devices.contains(Device.PIT) && !devices.contains(Device.PIC)) {
            throw new IllegalArgumentException("the PIT interrupts through the PIC (IRQ 0): add Device.PIC");
        }
        this.vcpus = vcpus;
        pic = devices.contains(Device.PIC) ? new PicPair() : null;
        pit = devices.contains(Device.PIT) ? new Pit8254(clock, pic) : null;
        ApicBus bus = new ApicBus(processors);
        apics = devices.contains(Device.LOCAL_APIC)
                ? IntStream.range(0, vcpus).mapToObj(vcpu -> new LocalApic(vcpu, clock, bus)).toList() : List.of();
    }

    /** @return the clock the timers count */
    public VirtualClock clock() {
        return clock;
    }

    /** @return the I/O ports the devices answer */
    public Set<Integer> ports() {
        Set<Integer> ports = new HashSet<>();
        for (int port = 0; port <= 0xff; port++) {
            if (servesPort(port)) {
                ports.add(port);
            }
        }
        return Set.copyOf(ports);
    }

    /** @return whether a device answers the I/O port {@code port} */
    public boolean servesPort(int port) {
        return (pic != null && PicPair.serves(port)) || (pit != null && Pit8254.serves(port));
    }

    /** @return whether a device answers the physical address {@code address} */
    public boolean servesMmio(long address) {
        return !apics.isEmpty() && address >= LocalApic.BASE && address - LocalApic.BASE < LocalApic.SIZE;
    }

    /**
     * A guest's read of a served port, byte by byte for a wider access as on the ISA bus (the bytes
     * of ports no device serves read all ones).
     */
    public long portIn(int port, int size) {
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = value << 8 | readByte(port + i);
        }
        return value;
    }

    /** A guest's write of a served port, byte by byte for a wider access. */
    public void portOut(int port, int size, long value) {
        for (int i = 0; i < size; i++) {
            int part = (int) (value >>> 8 * i) & 0xff;
            if (pic != null && PicPair.serves(port + i)) {
                pic.write(port + i, part);
            } else if (pit != null && Pit8254.serves(port + i)) {
                pit.write(port + i, part);
            }
        }
    }

    private int readByte(int port) {
        if (pic != null && PicPair.serves(port)) {
            return pic.read(port);
        }
        if (pit != null && Pit8254.serves(port)) {
            if (port != Pit8254.CONTROL) {
                clock.advanceBy(GuestClock.POLL_NANOS);
            }
            return pit.read(port);
        }
        return 0xff;
    }

    /** A guest's read of a served address, by the vCPU {@code vcpu}. */
    public long mmioRead(int vcpu, long address, int size) {
        long offset = address - LocalApic.BASE;
        if ((offset & ~3L) == LocalApic.CURRENT_COUNT) {
            clock.advanceBy(GuestClock.POLL_NANOS);
        }
        return apics.get(vcpu).read(offset, size);
    }

    /** A guest's write of a served address, by the vCPU {@code vcpu}. */
    public void mmioWrite(int vcpu, long address, int size, long value) {
        apics.get(vcpu).write(address - LocalApic.BASE, size, value);
    }

    /**
     * A rising edge on a PIC input, as a device on the ISA bus raises its IRQ.
     *
     * @throws IllegalStateException without a PIC
     * @throws IllegalArgumentException for an IRQ outside 0–15, or the cascade, IRQ 2
     */
    public void pulseIrq(int irq) {
        if (pic == null) {
            throw new IllegalStateException("raiseIrq(" + irq + "): IRQ lines are the PIC's, which this guest does"
                    + " not have: @KvmGuest(devices = Device.PIC)");
        }
        pic.pulse(irq);
    }

    /**
     * @param vcpu the vCPU's index
     * @return whether an interrupt is requested of that vCPU (which takes it when its IF allows)
     */
    public boolean requesting(int vcpu) {
        return picPassesThrough(vcpu) && pic.requesting() || apicOf(vcpu) != null && apicOf(vcpu).requesting();
    }

    /**
     * The vCPU takes the interrupt requested of it: the acknowledge cycle.
     *
     * @param vcpu the vCPU's index
     * @return its vector; a controller's spurious vector if the request went away; -1 without
     *     an interrupt controller wired to the vCPU
     */
    public int acknowledge(int vcpu) {
        LocalApic apic = apicOf(vcpu);
        if (picPassesThrough(vcpu) && (apic == null || pic.requesting())) {
            return pic.acknowledge();
        }
        return apic == null ? -1 : apic.acknowledge();
    }

    /**
     * Every vCPU halted, those in {@code waiting} with interrupts enabled: the clock jumps from
     * deadline to deadline until an interrupt is requested for one of them. Each jump latches a
     * request that was not there, so this ends.
     *
     * @param waiting the vCPUs an interrupt would wake
     * @return whether an interrupt is now requested for one of them; if not, no timer can raise one
     *     any more (the clock may have moved to where the last one latched a request the guest masks)
     */
    public boolean idle(IntPredicate waiting) {
        while (IntStream.range(0, vcpus).noneMatch(vcpu -> waiting.test(vcpu) && requesting(vcpu))) {
            long deadline = clock.nextDeadline();
            if (deadline == Long.MAX_VALUE) {
                return false;
            }
            clock.advanceTo(deadline);
        }
        return true;
    }

    /** @return whether the PIC's output reaches the vCPU: the bootstrap processor's, through its APIC's LINT0 if any */
    private boolean picPassesThrough(int vcpu) {
        return pic != null && vcpu == 0 && (apics.isEmpty() || apics.get(0).passesPicInterrupts());
    }

    private LocalApic apicOf(int vcpu) {
        return apics.isEmpty() ? null : apics.get(vcpu);
    }
}
