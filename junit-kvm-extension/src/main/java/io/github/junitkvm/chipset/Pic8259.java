package io.github.junitkvm.chipset;

/**
 * One 8259A programmable interrupt controller, in 8086 mode, edge-triggered: its command port
 * takes ICW1, OCW2 and OCW3, its data port ICW2 to ICW4 during initialization and the interrupt
 * mask (OCW1) after. Priorities are fully nested, with the rotations OCW2 offers; ICW3's cascade
 * wiring is fixed by {@link PicPair} and the special mask and special fully nested modes are not
 * modelled (their bits are accepted and ignored).
 */
final class Pic8259 {
    private static final int ICW1 = 0x10;
    private static final int ICW1_NEEDS_ICW4 = 0x01;
    private static final int ICW1_SINGLE = 0x02;
    private static final int OCW3 = 0x08;
    private static final int OCW3_POLL = 0x04;
    private static final int OCW3_READ_REGISTER = 0x02;
    private static final int OCW3_READ_ISR = 0x01;
    private static final int ICW4_AUTO_EOI = 0x02;
    static final int SPURIOUS_IRQ = 7;

    /** What the data port expects next: the mask, or the next initialization word. */
    private enum Expect { MASK, ICW2, ICW3, ICW4 }

    private Expect expect = Expect.MASK;
    private boolean needsIcw4;
    private boolean single;
    private int vectorBase;
    private int requests;
    private int inService;
    private int mask;
    private int lineLevels;
    /** The IRQ of the lowest priority is {@code lowestPriority}; the one after it has the highest. */
    private int lowestPriority = 7;
    private boolean autoEoi;
    private boolean rotateOnAutoEoi;
    private boolean readInService;
    private boolean poll;

    /**
     * @param vectorBase the vectors its IRQs raise, as ICW2 would set them
     * @param mask the interrupt mask it starts with
     */
    Pic8259(int vectorBase, int mask) {
        this.vectorBase = vectorBase & 0xf8;
        this.mask = mask & 0xff;
    }

    /**
     * Sets an input line's level; a rising edge requests the IRQ (until it is acknowledged), as an
     * edge-triggered 8259A latches it, masked or not.
     */
    void setLine(int irq, boolean high) {
        int bit = 1 << irq;
        if (high && (lineLevels & bit) == 0) {
            requests |= bit;
        }
        lineLevels = high ? lineLevels | bit : lineLevels & ~bit;
    }

    /** A pulse on an input line: a rising edge, then the line low again. */
    void pulse(int irq) {
        setLine(irq, true);
        setLine(irq, false);
    }

    /**
     * @return the IRQ it would interrupt the CPU for now, or -1: the request of the highest priority
     *     that is not masked, if it has a higher priority than every IRQ in service
     */
    int pendingIrq() {
        int candidates = requests & ~mask;
        for (int i = 1; i <= 8; i++) {
            int irq = (lowestPriority + i) & 7;
            if ((inService & (1 << irq)) != 0) {
                return -1;
            }
            if ((candidates & (1 << irq)) != 0) {
                return irq;
            }
        }
        return -1;
    }

    /**
     * The CPU's interrupt acknowledge for {@code irq} ({@link #pendingIrq} found it): it moves from
     * the requests to in service, or, in auto-EOI mode, is done at once.
     *
     * @return the vector the chip puts on the bus
     */
    int acknowledge(int irq) {
        int bit = 1 << irq;
        requests &= ~bit;
        if (!autoEoi) {
            inService |= bit;
        } else if (rotateOnAutoEoi) {
            lowestPriority = irq;
        }
        return vector(irq);
    }

    /** @return the vector of {@code irq}, the spurious IRQ 7's when the request went away before the acknowledge */
    int vector(int irq) {
        return vectorBase + irq;
    }

    boolean single() {
        return single;
    }

    int requests() {
        return requests;
    }

    /** @return what a read of the command port gives: IRR or ISR (OCW3), or a poll's answer */
    int readCommand() {
        if (poll) {
            poll = false;
            int irq = pendingIrq();
            if (irq < 0) {
                return 0;
            }
            acknowledge(irq);
            return 0x80 | irq;
        }
        return readInService ? inService : requests;
    }

    int readData() {
        return mask;
    }

    void writeCommand(int value) {
        if ((value & ICW1) != 0) {
            initialize(value);
        } else if ((value & OCW3) != 0) {
            operationCommand3(value);
        } else {
            operationCommand2(value);
        }
    }

    void writeData(int value) {
        switch (expect) {
            case ICW2 -> {
                vectorBase = value & 0xf8;
                expect = single ? afterIcw3() : Expect.ICW3;
            }
            case ICW3 -> expect = afterIcw3();
            case ICW4 -> {
                autoEoi = (value & ICW4_AUTO_EOI) != 0;
                expect = Expect.MASK;
            }
            case MASK -> mask = value & 0xff;
        }
    }

    private Expect afterIcw3() {
        return needsIcw4 ? Expect.ICW4 : Expect.MASK;
    }

    /** ICW1 starts the initialization sequence and resets the chip's state, as the datasheet says. */
    private void initialize(int icw1) {
        needsIcw4 = (icw1 & ICW1_NEEDS_ICW4) != 0;
        single = (icw1 & ICW1_SINGLE) != 0;
        expect = Expect.ICW2;
        mask = 0;
        inService = 0;
        requests = 0;
        lineLevels = 0;
        lowestPriority = 7;
        autoEoi = false;
        rotateOnAutoEoi = false;
        readInService = false;
        poll = false;
    }

    private void operationCommand3(int value) {
        if ((value & OCW3_POLL) != 0) {
            poll = true;
        }
        if ((value & OCW3_READ_REGISTER) != 0) {
            readInService = (value & OCW3_READ_ISR) != 0;
        }
    }

    /** OCW2: bits 7–5 are R, SL and EOI; bits 2–0 the level for the specific forms. */
    private void operationCommand2(int value) {
        int level = value & 7;
        switch (value >> 5) {
            case 0b001 -> endOfInterrupt(highestInService(), false);  // non-specific EOI
            case 0b011 -> endOfInterrupt(level, false);               // specific EOI
            case 0b101 -> endOfInterrupt(highestInService(), true);   // rotate on non-specific EOI
            case 0b111 -> endOfInterrupt(level, true);                // rotate on specific EOI
            case 0b100 -> rotateOnAutoEoi = true;
            case 0b000 -> rotateOnAutoEoi = false;
            case 0b110 -> lowestPriority = level;                     // set priority
            default -> { }                                             // 0b010: no operation
        }
    }

    private void endOfInterrupt(int irq, boolean rotate) {
        if (irq < 0) {
            return;
        }
        inService &= ~(1 << irq);
        if (rotate) {
            lowestPriority = irq;
        }
    }

    /** @return the IRQ in service with the highest priority, or -1 */
    private int highestInService() {
        for (int i = 1; i <= 8; i++) {
            int irq = (lowestPriority + i) & 7;
            if ((inService & (1 << irq)) != 0) {
                return irq;
            }
        }
        return -1;
    }
}
