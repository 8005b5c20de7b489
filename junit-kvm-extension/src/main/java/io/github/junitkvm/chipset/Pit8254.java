package io.github.junitkvm.chipset;

/**
 * The PC's 8254 programmable interval timer at ports {@code 0x40}–{@code 0x43}, its input clock
 * the PC's 1.193182 MHz on the {@link VirtualClock}: channel 0's OUT on IRQ 0 of the
 * {@link PicPair} (a rising edge latches a request), channel 1 counting for nobody (the DRAM
 * refresh of old PCs), channel 2 gated and read through port {@code 0x61} (bit 0 its gate,
 * bit 5 its OUT, bit 4 the refresh toggle, flipping every 15.085 µs), as calibration loops use it.
 * Modes 0–5, binary and BCD, the counter latch and the read-back command; no output is ever
 * lost by the clock jumping, whatever the distance.
 */
final class Pit8254 implements VirtualClock.Timer {
    static final int CHANNEL_0 = 0x40;
    static final int CONTROL = 0x43;
    static final int SYSTEM_CONTROL = 0x61;
    static final long FREQUENCY_HZ = 1_193_182;
    private static final long NANOS_PER_SECOND = 1_000_000_000;
    private static final long REFRESH_PERIOD_NANOS = 15_085;
    private static final int GATE_2 = 0x01;
    private static final int SPEAKER_DATA = 0x02;
    private static final int SYSTEM_CONTROL_KEPT = 0x0f;
    private static final int REFRESH_TOGGLE = 0x10;
    private static final int OUT_2 = 0x20;

    private final PitChannel[] channels = {new PitChannel(true), new PitChannel(true), new PitChannel(false)};
    private final VirtualClock clock;
    private final PicPair pic;
    private long caughtUpTick;
    private int systemControl;

    Pit8254(VirtualClock clock, PicPair pic) {
        this.clock = clock;
        this.pic = pic;
        clock.register(this);
    }

    static boolean serves(int port) {
        return (port >= CHANNEL_0 && port <= CONTROL) || port == SYSTEM_CONTROL;
    }

    int read(int port) {
        long tick = tickAt(clock.now());
        if (port == SYSTEM_CONTROL) {
            boolean refresh = (clock.now() / REFRESH_PERIOD_NANOS & 1) != 0;
            return systemControl | (refresh ? REFRESH_TOGGLE : 0) | (channels[2].out(tick) ? OUT_2 : 0);
        }
        return port == CONTROL ? 0xff : channels[port - CHANNEL_0].read(tick);
    }

    void write(int port, int value) {
        long tick = tickAt(clock.now());
        if (port == SYSTEM_CONTROL) {
            systemControl = value & SYSTEM_CONTROL_KEPT;
            channels[2].setGate((value & GATE_2) != 0, tick);
        } else if (port == CONTROL) {
            control(value & 0xff, tick);
        } else {
            channels[port - CHANNEL_0].write(value, tick);
        }
    }

    private void control(int word, long tick) {
        int select = word >> 6;
        if (select != 3) {
            channels[select].control(word, tick);
            return;
        }
        for (int channel = 0; channel < 3; channel++) {       // read-back: bits 1-3 select, 4 and 5 active low
            if ((word & (2 << channel)) != 0) {
                if ((word & 0x10) == 0) {
                    channels[channel].latchStatus(tick);
                }
                if ((word & 0x20) == 0) {
                    channels[channel].latchCount(tick);
                }
            }
        }
    }

    @Override
    public long nextDeadline(long now) {
        if (pic.latched(0)) {
            return Long.MAX_VALUE;                          // another edge would change nothing
        }
        long edge = channels[0].nextRisingEdge(tickAt(now));
        return edge > tickAt(Long.MAX_VALUE) ? Long.MAX_VALUE : nanosOfTick(edge);
    }

    @Override
    public void catchUp(long now) {
        long tick = tickAt(now);
        if (channels[0].nextRisingEdge(caughtUpTick) <= tick) {
            pic.pulse(0);
        }
        caughtUpTick = tick;
    }

    /** @return how many input ticks have passed at {@code nanos}: floor(nanos × 1193182 / 10^9), exactly */
    static long tickAt(long nanos) {
        return nanos / NANOS_PER_SECOND * FREQUENCY_HZ + nanos % NANOS_PER_SECOND * FREQUENCY_HZ / NANOS_PER_SECOND;
    }

    /** @return the first nanosecond at which {@code tick} ticks have passed, the inverse of {@link #tickAt} */
    static long nanosOfTick(long tick) {
        long rest = tick % FREQUENCY_HZ * NANOS_PER_SECOND;
        return tick / FREQUENCY_HZ * NANOS_PER_SECOND + (rest + FREQUENCY_HZ - 1) / FREQUENCY_HZ;
    }
}
