package io.github.junitkvm.guest;

/**
 * A 16550 UART at a base port (COM1 is {@code 0x3f8}), enough for polling drivers: the line status
 * register always reports the transmitter empty and no input waiting, and the divisor latch and
 * the other registers hold what the guest writes. Interrupts are never raised. What the guest
 * transmits is recorded by the caller, which asks {@link #isTransmit(int)}.
 */
final class Serial16550 {
    static final int COM1 = 0x3f8;
    static final int PORT_COUNT = 8;

    private static final int DATA = 0;
    private static final int INTERRUPT_ENABLE = 1;
    private static final int INTERRUPT_ID = 2;
    private static final int LINE_CONTROL = 3;
    private static final int MODEM_CONTROL = 4;
    private static final int LINE_STATUS = 5;
    private static final int MODEM_STATUS = 6;
    private static final int SCRATCH = 7;

    private static final int DIVISOR_LATCH_ACCESS = 0x80;
    /** THRE and TEMT: the transmitter holding register and the shifter are empty. */
    private static final int TRANSMITTER_EMPTY = 0x60;
    /** Bit 0 set: no interrupt pending. */
    private static final int NO_INTERRUPT_PENDING = 0x01;
    /** CTS, DSR and DCD: a peer is always there, so drivers that wait for it go on. */
    private static final int PEER_READY = 0xb0;

    private final int base;
    private final int[] registers = new int[PORT_COUNT];
    private int divisorLow;
    private int divisorHigh;

    Serial16550(int base) {
        this.base = base;
    }

    boolean serves(int port) {
        return port >= base && port < base + PORT_COUNT;
    }

    long read(int port) {
        int register = port - base;
        boolean latch = (registers[LINE_CONTROL] & DIVISOR_LATCH_ACCESS) != 0;
        return switch (register) {
            case DATA -> latch ? divisorLow : 0;
            case INTERRUPT_ENABLE -> latch ? divisorHigh : registers[INTERRUPT_ENABLE];
            case INTERRUPT_ID -> NO_INTERRUPT_PENDING;
            case LINE_STATUS -> TRANSMITTER_EMPTY;
            case MODEM_STATUS -> PEER_READY;
            default -> registers[register];
        };
    }

    void write(int port, long value) {
        int register = port - base;
        int data = (int) (value & 0xff);
        boolean latch = (registers[LINE_CONTROL] & DIVISOR_LATCH_ACCESS) != 0;
        switch (register) {
            case DATA -> {
                if (latch) {
                    divisorLow = data;
                }
            }
            case INTERRUPT_ENABLE -> {
                if (latch) {
                    divisorHigh = data;
                } else {
                    registers[INTERRUPT_ENABLE] = data;
                }
            }
            case LINE_CONTROL, MODEM_CONTROL, SCRATCH -> registers[register] = data;
            default -> {
                // FIFO control, line and modem status: writes change nothing a guest can observe here.
            }
        }
    }

    /**
     * @param port a port
     * @return whether a write to it now is a byte transmitted: the data register, latch closed
     */
    boolean isTransmit(int port) {
        return port == base + DATA && (registers[LINE_CONTROL] & DIVISOR_LATCH_ACCESS) == 0;
    }
}
