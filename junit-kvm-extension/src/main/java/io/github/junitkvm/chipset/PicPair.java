package io.github.junitkvm.chipset;

/**
 * The PC's two 8259A PICs: the master at ports {@code 0x20}/{@code 0x21} with IRQs 0–7, the slave
 * at {@code 0xa0}/{@code 0xa1} with IRQs 8–15, its output on the master's IRQ 2. They start as a
 * PC BIOS leaves them: vectors {@code 0x08} and {@code 0x70}, every IRQ masked but the cascade;
 * a guest reprograms them with ICW1–ICW4 as on a PC.
 *
 * <p>Requests stay latched until acknowledged, as KVM's and QEMU's 8259 models keep them. The
 * master latches a rising edge of the slave's output on IRQ 2 like any other; the output falls
 * during each acknowledge through the cascade, so a second slave request makes a new edge. An
 * acknowledge that finds no request (the one the CPU saw was masked or cleared since) gets the
 * chip's spurious vector, IRQ 7's, with nothing put in service; if it is the slave that has none
 * left while the master's IRQ 2 is latched, the master puts IRQ 2 in service and the vector is
 * IRQ 15's, as on the real pair: the guest's handler owes the master an EOI.
 */
final class PicPair {
    static final int MASTER_COMMAND = 0x20;
    static final int MASTER_DATA = 0x21;
    static final int SLAVE_COMMAND = 0xa0;
    static final int SLAVE_DATA = 0xa1;
    static final int CASCADE_IRQ = 2;

    private final Pic8259 master = new Pic8259(0x08, 0xff & ~(1 << CASCADE_IRQ));
    private final Pic8259 slave = new Pic8259(0x70, 0xff);

    static boolean serves(int port) {
        return port == MASTER_COMMAND || port == MASTER_DATA || port == SLAVE_COMMAND || port == SLAVE_DATA;
    }

    /**
     * A rising edge on IRQ {@code irq}, then the line low again: the request stays latched until
     * the CPU acknowledges it.
     *
     * @throws IllegalArgumentException for an IRQ outside 0–15, or IRQ 2, the cascade
     */
    void pulse(int irq) {
        if (irq < 0 || irq > 15) {
            throw new IllegalArgumentException("raiseIrq(" + irq + "): IRQ " + irq + " is not a PIC's (0 to 15)");
        }
        if (irq == CASCADE_IRQ && !master.single()) {
            throw new IllegalArgumentException("raiseIrq(2): IRQ 2 is the cascade from the slave PIC; raise IRQ 9"
                    + " instead, as on a PC");
        }
        chip(irq).pulse(irq & 7);
        updateCascade();
    }

    /** @return whether the master asks the CPU for an interrupt */
    boolean requesting() {
        return master.pendingIrq() >= 0;
    }

    /** @return the vector of the interrupt the CPU takes, the acknowledge cycle done */
    int acknowledge() {
        int irq = master.pendingIrq();
        if (irq < 0) {
            return master.vector(Pic8259.SPURIOUS_IRQ);
        }
        if (irq != CASCADE_IRQ || master.single()) {
            return master.acknowledge(irq);
        }
        int slaveIrq = slave.pendingIrq();
        master.acknowledge(CASCADE_IRQ);
        int vector = slaveIrq < 0 ? slave.vector(Pic8259.SPURIOUS_IRQ) : slave.acknowledge(slaveIrq);
        master.setLine(CASCADE_IRQ, false);
        updateCascade();
        return vector;
    }

    int read(int port) {
        return switch (port) {
            case MASTER_COMMAND -> master.readCommand();
            case MASTER_DATA -> master.readData();
            case SLAVE_COMMAND -> readSlaveCommand();
            default -> slave.readData();
        };
    }

    /** A poll of the slave acknowledges, which changes its output. */
    private int readSlaveCommand() {
        int value = slave.readCommand();
        updateCascade();
        return value;
    }

    void write(int port, int value) {
        switch (port) {
            case MASTER_COMMAND -> master.writeCommand(value);
            case MASTER_DATA -> master.writeData(value);
            case SLAVE_COMMAND -> slave.writeCommand(value);
            default -> slave.writeData(value);
        }
        updateCascade();
    }

    /** @return whether a request of {@code irq} is latched, so that another pulse would change nothing */
    boolean latched(int irq) {
        return (chip(irq).requests() & (1 << (irq & 7))) != 0;
    }

    private Pic8259 chip(int irq) {
        return irq < 8 ? master : slave;
    }

    /** The master's IRQ 2 follows the slave's output (INT), in cascade mode. */
    private void updateCascade() {
        if (!master.single()) {
            master.setLine(CASCADE_IRQ, slave.pendingIrq() >= 0);
        }
    }
}
