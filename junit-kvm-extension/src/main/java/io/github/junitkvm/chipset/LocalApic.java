package io.github.junitkvm.chipset;

import java.util.BitSet;

/**
 * A local APIC in xAPIC mode, its registers at {@link #BASE}: ID, version, TPR and PPR, EOI, the
 * logical destination, the spurious vector register (software enable), ISR, TMR and IRR, the
 * error status, the ICR, the local vector table and the timer (one-shot and periodic; the
 * TSC-deadline mode is not modelled and stays silent). It starts as KVM resets one:
 * software-disabled (SVR {@code 0xff}), every LVT entry masked but, on the bootstrap processor's
 * (APIC ID 0), LINT0, which passes the PIC's interrupts through (ExtINT).
 *
 * <p>The timer counts the bus clock, 1 GHz as KVM's APIC, divided by the divide configuration. A
 * fixed interrupt is taken when its vector's priority class (bits 7–4) is above the processor
 * priority's (PPR: the TPR, or the class of the highest vector in service if that is higher), as the
 * SDM says; vectors 0–15 are illegal, an error (ESR bit 6 received, bit 5 sent). Registers are read
 * 1, 2 or 4 bytes at a time within a 32-bit word, and written 4 bytes at a time, 16-byte aligned;
 * other writes are ignored, as KVM ignores them.
 */
final class LocalApic implements VirtualClock.Timer {
    static final long BASE = 0xfee0_0000L;
    static final int SIZE = 0x1000;
    static final int CURRENT_COUNT = 0x390;

    private static final int ID = 0x20;
    private static final int VERSION = 0x30;
    private static final int TPR = 0x80;
    private static final int APR = 0x90;
    private static final int PPR = 0xa0;
    private static final int EOI = 0xb0;
    private static final int LDR = 0xd0;
    private static final int DFR = 0xe0;
    private static final int SVR = 0xf0;
    private static final int ISR = 0x100;
    private static final int TMR = 0x180;
    private static final int IRR = 0x200;
    private static final int ESR = 0x280;
    private static final int ICR_LOW = 0x300;
    private static final int ICR_HIGH = 0x310;
    private static final int LVT_TIMER = 0x320;
    private static final int LVT_THERMAL = 0x330;
    private static final int LVT_PERFORMANCE = 0x340;
    private static final int LVT_LINT0 = 0x350;
    private static final int LVT_LINT1 = 0x360;
    private static final int LVT_ERROR = 0x370;
    private static final int INITIAL_COUNT = 0x380;
    private static final int DIVIDE_CONFIGURATION = 0x3e0;

    /** Version 0x14, an integrated APIC, with six LVT entries (the highest index, 5, in bits 16–23). */
    private static final int VERSION_VALUE = 0x0005_0014;
    private static final int SOFTWARE_ENABLE = 0x100;
    private static final int MASKED = 0x1_0000;
    private static final int EXT_INT = 7 << 8;
    private static final int NMI = 4 << 8;
    private static final int TIMER_PERIODIC = 1 << 17;
    private static final int TIMER_TSC_DEADLINE = 2 << 17;
    private static final int TIMER_MODE = 3 << 17;
    private static final int SEND_ILLEGAL_VECTOR = 0x20;
    private static final int RECEIVE_ILLEGAL_VECTOR = 0x40;

    private final VirtualClock clock;
    private final ApicBus bus;
    private final BitSet requests = new BitSet(256);
    private final BitSet inService = new BitSet(256);
    private int id;
    private int taskPriority;
    private int logicalDestination;
    private int destinationFormat = 0xffff_ffff;
    private int spuriousVector = 0xff;
    private int errorStatus;
    private int pendingErrors;
    private int icrLow;
    private int icrHigh;
    private int lvtTimer = MASKED;
    private int lvtThermal = MASKED;
    private int lvtPerformance = MASKED;
    private int lvtLint0 = EXT_INT;
    private int lvtLint1 = MASKED | NMI;
    private int lvtError = MASKED;
    private int divideConfiguration;
    private long initialCount;
    private long timerStart;
    private boolean timerExpired;
    private long caughtUp;

    /**
     * @param id the APIC ID, the vCPU's index; 0 is the bootstrap processor's
     * @param clock the clock the timer counts
     * @param bus the wire to the other vCPUs' APICs, which this joins
     */
    LocalApic(int id, VirtualClock clock, ApicBus bus) {
        this.id = id << 24;
        if (id != 0) {
            lvtLint0 = MASKED | EXT_INT;
        }
        this.clock = clock;
        this.bus = bus;
        clock.register(this);
        bus.attach(this);
    }

    /** @return whether it asks the CPU for a fixed interrupt now */
    boolean requesting() {
        return highestDeliverable() >= 0;
    }

    /** @return the vector the CPU takes, now in service, or the spurious vector if nothing is deliverable */
    int acknowledge() {
        int vector = highestDeliverable();
        if (vector < 0) {
            return spuriousVector & 0xff;
        }
        requests.clear(vector);
        inService.set(vector);
        return vector;
    }

    /** @return whether LINT0 lets the PIC interrupt the CPU: unmasked, in ExtINT mode (KVM's rule) */
    boolean passesPicInterrupts() {
        return (lvtLint0 & MASKED) == 0 && (lvtLint0 & (7 << 8)) == EXT_INT;
    }

    /** Accepts a message sent on the bus for the APIC itself: fixed, lowest priority (SMI is not modelled). */
    void receive(InterruptMessage message) {
        int mode = message.deliveryMode();
        if (mode != InterruptMessage.FIXED && mode != InterruptMessage.LOWEST_PRIORITY) {
            throw new UnsupportedOperationException(String.format(
                    "the local APIC (ID %d) received an IPI in delivery mode %d, vector 0x%02x: fixed, lowest-priority,"
                    + " NMI, INIT and start-up IPIs are modelled; SMI and the reserved modes are not",
                    id >>> 24, mode, message.vector()));
        }
        accept(message.vector(), RECEIVE_ILLEGAL_VECTOR);
    }

    /** @return whether it is a destination of {@code destination}, a physical APIC ID or a logical one */
    boolean isDestination(int destination, boolean logical) {
        if (!logical) {
            return destination == 0xff || destination == id >>> 24;
        }
        int mine = logicalDestination >>> 24;
        if ((destinationFormat >>> 28) == 0xf) {
            return (mine & destination) != 0;                                                // flat model
        }
        return (mine >> 4 == destination >> 4 || destination >> 4 == 0xf) && (mine & destination & 0xf) != 0;  // cluster
    }

    long read(long offset, int size) {
        if ((offset & 3) + size > 4 || (offset & 0xc) != 0) {
            return 0;                                                    // across words, or a register's reserved words
        }
        long value = Integer.toUnsignedLong(register((int) offset & ~0xf)) >>> 8 * (offset & 3);
        return value & ((1L << 8 * size) - 1);
    }

    void write(long offset, int size, long value) {
        if (size != 4 || (offset & 0xf) != 0) {
            return;
        }
        setRegister((int) offset, (int) value);
    }

    private int register(int offset) {
        if (offset >= ISR && offset < ISR + 0x80) {
            return word(inService, (offset - ISR) >> 4);
        }
        if (offset >= TMR && offset < TMR + 0x80) {
            return 0;                                                    // every interrupt modelled is edge-triggered
        }
        if (offset >= IRR && offset < IRR + 0x80) {
            return word(requests, (offset - IRR) >> 4);
        }
        return switch (offset) {
            case ID -> id;
            case VERSION -> VERSION_VALUE;
            case TPR -> taskPriority;
            case PPR -> processorPriority();
            case LDR -> logicalDestination;
            case DFR -> destinationFormat;
            case SVR -> spuriousVector;
            case ESR -> errorStatus;
            case ICR_LOW -> icrLow;
            case ICR_HIGH -> icrHigh;
            case LVT_TIMER -> lvtTimer;
            case LVT_THERMAL -> lvtThermal;
            case LVT_PERFORMANCE -> lvtPerformance;
            case LVT_LINT0 -> lvtLint0;
            case LVT_LINT1 -> lvtLint1;
            case LVT_ERROR -> lvtError;
            case INITIAL_COUNT -> (int) initialCount;
            case CURRENT_COUNT -> (int) currentCount(clock.now());
            case DIVIDE_CONFIGURATION -> divideConfiguration;
            default -> 0;                                                // APR, RRD and reserved: 0, as KVM reads them
        };
    }

    private void setRegister(int offset, int value) {
        switch (offset) {
            case ID -> id = value & 0xff00_0000;
            case TPR -> taskPriority = value & 0xff;
            case EOI -> endOfInterrupt();
            case LDR -> logicalDestination = value & 0xff00_0000;
            case DFR -> destinationFormat = value | 0x0fff_ffff;
            case SVR -> setSpuriousVector(value);
            case ESR -> {
                errorStatus = pendingErrors;
                pendingErrors = 0;
            }
            case ICR_LOW -> {
                icrLow = value & ~0x1000;                                // delivery status: always idle
                send(InterruptMessage.fromIcr(icrLow, icrHigh));
            }
            case ICR_HIGH -> icrHigh = value & 0xff00_0000;
            case LVT_TIMER -> {
                catchUp(clock.now());
                lvtTimer = lvt(value, 0x7_00ff);
            }
            case LVT_THERMAL -> lvtThermal = lvt(value, 0x1_07ff);
            case LVT_PERFORMANCE -> lvtPerformance = lvt(value, 0x1_07ff);
            case LVT_LINT0 -> lvtLint0 = lvt(value, 0x1_a7ff);
            case LVT_LINT1 -> lvtLint1 = lvt(value, 0x1_a7ff);
            case LVT_ERROR -> lvtError = lvt(value, 0x1_00ff);
            case INITIAL_COUNT -> startTimer(Integer.toUnsignedLong(value));
            case DIVIDE_CONFIGURATION -> setDivideConfiguration(value & 0xb);
            default -> { }                                               // read-only and reserved registers
        }
    }

    /** An LVT entry as written, its mask forced while the APIC is software-disabled, as the SDM says. */
    private int lvt(int value, int writable) {
        int entry = value & writable;
        return softwareEnabled() ? entry : entry | MASKED;
    }

    private void setSpuriousVector(int value) {
        spuriousVector = value & 0x3ff;
        if (!softwareEnabled()) {
            lvtTimer |= MASKED;
            lvtThermal |= MASKED;
            lvtPerformance |= MASKED;
            lvtLint0 |= MASKED;
            lvtLint1 |= MASKED;
            lvtError |= MASKED;
        }
    }

    private boolean softwareEnabled() {
        return (spuriousVector & SOFTWARE_ENABLE) != 0;
    }

    private void endOfInterrupt() {
        int vector = inService.previousSetBit(255);
        if (vector >= 0) {
            inService.clear(vector);
        }
    }

    private void send(InterruptMessage message) {
        if (message.vector() < 16 && message.deliveryMode() <= InterruptMessage.LOWEST_PRIORITY) {
            error(SEND_ILLEGAL_VECTOR);
            return;
        }
        bus.send(this, message);
    }

    /** A fixed interrupt for {@code vector}; an illegal vector is the error {@code illegalError} instead. */
    private void accept(int vector, int illegalError) {
        if (vector < 16) {
            error(illegalError);
        } else {
            requests.set(vector);
        }
    }

    private void error(int bit) {
        pendingErrors |= bit;
        if ((lvtError & MASKED) == 0 && (lvtError & 0xff) >= 16) {
            requests.set(lvtError & 0xff);
        }
    }

    /** @return the priority class (bits 7–4) of the processor priority, by which lowest-priority delivery chooses */
    int processorPriorityClass() {
        return processorPriority() & 0xf0;
    }

    private int processorPriority() {
        int highestInService = Math.max(inService.previousSetBit(255), 0) & 0xf0;
        return (taskPriority & 0xf0) >= highestInService ? taskPriority : highestInService;
    }

    private int highestDeliverable() {
        int vector = requests.previousSetBit(255);
        if (!softwareEnabled() || vector < 0 || (vector & 0xf0) <= (processorPriority() & 0xf0)) {
            return -1;
        }
        return vector;
    }

    private static int word(BitSet bits, int index) {
        int value = 0;
        for (int bit = 0; bit < 32; bit++) {
            if (bits.get(index * 32 + bit)) {
                value |= 1 << bit;
            }
        }
        return value;
    }

    // The timer: it counts from timerStart at one tick per divisor nanoseconds.

    private long divisor() {
        int code = (divideConfiguration & 3) | (divideConfiguration & 8) >> 1;
        return 1L << ((code + 1) & 7);
    }

    private boolean periodic() {
        return (lvtTimer & TIMER_MODE) == TIMER_PERIODIC;
    }

    private boolean timerRunning() {
        return initialCount != 0 && !timerExpired && (lvtTimer & TIMER_MODE) != TIMER_TSC_DEADLINE;
    }

    private void startTimer(long count) {
        catchUp(clock.now());
        initialCount = count;
        timerStart = clock.now();
        timerExpired = false;
    }

    private void setDivideConfiguration(int value) {
        long now = clock.now();
        catchUp(now);
        long count = currentCount(now);
        divideConfiguration = value;
        if (timerRunning()) {
            timerStart = now - (initialCount - count) * divisor();   // the count goes on from where it is
        }
    }

    private long currentCount(long now) {
        if (!timerRunning()) {
            return 0;
        }
        long ticks = (now - timerStart) / divisor();
        return periodic() ? initialCount - ticks % initialCount : Math.max(0, initialCount - ticks);
    }

    /** @return the first expiry after {@code time}, or {@link Long#MAX_VALUE} if none comes before the clock's end */
    private long nextExpiry(long time) {
        if (!timerRunning()) {
            return Long.MAX_VALUE;
        }
        long period = initialCount * divisor();
        long next = periodic() ? ((time - timerStart) / period + 1) * period : period;
        return next > Long.MAX_VALUE - timerStart || timerStart + next <= time ? Long.MAX_VALUE : timerStart + next;
    }

    @Override
    public long nextDeadline(long now) {
        int vector = lvtTimer & 0xff;
        if ((lvtTimer & MASKED) != 0 || vector < 16 || requests.get(vector)) {
            return Long.MAX_VALUE;                                       // an expiry would change no request
        }
        return nextExpiry(now);
    }

    @Override
    public void catchUp(long now) {
        if (nextExpiry(caughtUp) <= now) {
            if (!periodic()) {
                timerExpired = true;
            }
            if ((lvtTimer & MASKED) == 0) {
                accept(lvtTimer & 0xff, RECEIVE_ILLEGAL_VECTOR);
            }
        }
        caughtUp = now;
    }
}
