package io.github.junitkvm.chipset;

/**
 * One counter of the 8254, counting input ticks from the tick its count was written (or, in
 * modes 1 and 5, its gate rose). Its state at any tick is computed, not stepped, so the clock may
 * jump any distance at no cost.
 *
 * <p>A new count restarts the counter at once, in every mode (the chip waits for the end of the
 * period in modes 2 and 3; guests write the control word first, which restarts it anyway). BCD
 * counting counts the same decimal values in binary and shows them in BCD.
 */
final class PitChannel {
    private static final int ACCESS_LATCH = 0;
    private static final int ACCESS_LOW = 1;
    private static final int ACCESS_HIGH = 2;
    private static final int ACCESS_BOTH = 3;

    private int mode;
    private int access = ACCESS_BOTH;
    private boolean bcd;
    /** The count written, 1 to the modulus (a written 0 is the modulus). */
    private int count;
    private boolean loaded;
    /** Whether the count is running: loaded, and in modes 1 and 5 triggered by the gate. */
    private boolean started;
    private long startTick;
    private boolean gate;
    /** Ticks counted before the gate fell, in modes 0 and 4, which pause while it is low. */
    private long pausedElapsed = -1;
    private boolean writeHighNext;
    private int writtenLow;
    private boolean readHighNext;
    private int latchedCount = -1;
    private boolean latchedCountHighNext;
    private int latchedStatus = -1;

    PitChannel(boolean gate) {
        this.gate = gate;
    }

    /** A control word for this channel: its RW, mode and BCD bits; RW 0 is a counter latch. */
    void control(int word, long tick) {
        int rw = (word >> 4) & 3;
        if (rw == ACCESS_LATCH) {
            latchCount(tick);
            return;
        }
        access = rw;
        mode = (word >> 1) & 7;
        if (mode >= 6) {
            mode -= 4;              // 6 and 7 are 2 and 3, as the datasheet says
        }
        bcd = (word & 1) != 0;
        loaded = false;
        started = false;
        pausedElapsed = -1;
        writeHighNext = false;
        readHighNext = false;
        latchedCount = -1;
        latchedStatus = -1;
    }

    void write(int value, long tick) {
        value &= 0xff;
        switch (access) {
            case ACCESS_LOW -> load(value, tick);
            case ACCESS_HIGH -> load(value << 8, tick);
            default -> {
                if (writeHighNext) {
                    load(writtenLow | value << 8, tick);
                } else {
                    writtenLow = value;
                }
                writeHighNext = !writeHighNext;
            }
        }
    }

    int read(long tick) {
        if (latchedStatus >= 0) {
            int status = latchedStatus;
            latchedStatus = -1;
            return status;
        }
        if (latchedCount >= 0) {
            boolean high = access == ACCESS_HIGH || (access == ACCESS_BOTH && latchedCountHighNext);
            int value = high ? latchedCount >> 8 : latchedCount & 0xff;
            if (access == ACCESS_BOTH && !latchedCountHighNext) {
                latchedCountHighNext = true;
            } else {
                latchedCount = -1;
            }
            return value;
        }
        int shown = shown(tick);
        return switch (access) {
            case ACCESS_LOW -> shown & 0xff;
            case ACCESS_HIGH -> shown >> 8;
            default -> {
                readHighNext = !readHighNext;
                yield readHighNext ? shown & 0xff : shown >> 8;
            }
        };
    }

    /** The counter latch command: the count now, held for the next reads; ignored while one is held. */
    void latchCount(long tick) {
        if (latchedCount < 0) {
            latchedCount = shown(tick);
            latchedCountHighNext = false;
        }
    }

    /** The read-back command's status latch; ignored while one is held. */
    void latchStatus(long tick) {
        if (latchedStatus < 0) {
            latchedStatus = (out(tick) ? 0x80 : 0) | (loaded ? 0 : 0x40) | access << 4 | mode << 1 | (bcd ? 1 : 0);
        }
    }

    void setGate(boolean high, long tick) {
        if (high == gate) {
            return;
        }
        gate = high;
        if (!loaded) {
            return;
        }
        switch (mode) {
            case 0, 4 -> {
                if (high) {
                    startTick = tick - pausedElapsed;
                    pausedElapsed = -1;
                } else {
                    pausedElapsed = elapsed(tick);
                }
            }
            default -> {
                if (high) {
                    started = true;
                    startTick = tick;
                }
            }
        }
    }

    /** @return the level of the channel's OUT pin at {@code tick} */
    boolean out(long tick) {
        if (!loaded) {
            return mode != 0;
        }
        if (!started) {
            return true;
        }
        long e = elapsed(tick);
        return switch (mode) {
            case 0, 1 -> e >= count;
            case 2 -> !counting() || e % count != count - 1;
            case 3 -> !counting() || e % count < (count + 1) / 2;
            default -> e != count;   // 4 and 5: low for the one tick at the terminal count
        };
    }

    /** @return the first tick after {@code tick} at which OUT rises, or {@link Long#MAX_VALUE} */
    long nextRisingEdge(long tick) {
        if (!loaded || !started || !counting()) {
            return Long.MAX_VALUE;
        }
        long e = elapsed(tick);
        return switch (mode) {
            case 0, 1 -> e < count ? startTick + count : Long.MAX_VALUE;
            case 2, 3 -> startTick + (e / count + 1) * count;
            default -> e < count + 1 ? startTick + count + 1 : Long.MAX_VALUE;
        };
    }

    /** @return the count the counter shows at {@code tick}, in BCD when counting in BCD */
    private int shown(long tick) {
        int value = value(tick);
        return bcd ? toBcd(value) : value;
    }

    private int value(long tick) {
        int modulus = modulus();
        if (!loaded || !started) {
            return count % modulus;
        }
        long e = elapsed(tick);
        return switch (mode) {
            case 2 -> count - (int) (e % count);
            case 3 -> {
                int phase = (int) (e % count);
                int half = (count + 1) / 2;
                yield count - 2 * (phase < half ? phase : phase - half);
            }
            default -> (int) Math.floorMod(count - e, (long) modulus);
        };
    }

    private long elapsed(long tick) {
        return pausedElapsed >= 0 ? pausedElapsed : tick - startTick;
    }

    /** @return whether the gate lets the counter run (modes 2 and 3 stop, with OUT high, while it is low) */
    private boolean counting() {
        return gate || mode == 1 || mode == 5;
    }

    private void load(int value, long tick) {
        int modulus = modulus();
        int decoded = bcd ? fromBcd(value) : value;
        count = decoded == 0 ? modulus : decoded;
        loaded = true;
        startTick = tick;
        pausedElapsed = (mode == 0 || mode == 4) && !gate ? 0 : -1;
        started = mode != 1 && mode != 5;
    }

    private int modulus() {
        return bcd ? 10_000 : 0x1_0000;
    }

    private static int fromBcd(int value) {
        return ((value >> 12 & 0xf) * 1000 + (value >> 8 & 0xf) * 100 + (value >> 4 & 0xf) * 10 + (value & 0xf)) % 10_000;
    }

    private static int toBcd(int value) {
        return (value / 1000 % 10) << 12 | (value / 100 % 10) << 8 | (value / 10 % 10) << 4 | value % 10;
    }
}
