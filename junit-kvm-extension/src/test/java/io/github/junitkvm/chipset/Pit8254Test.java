package io.github.junitkvm.chipset;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Pit8254Test {
    private final VirtualClock clock = new VirtualClock();
    private final PicPair pic = new PicPair();
    private final Pit8254 pit = new Pit8254(clock, pic);

    @Test
    void theInputClockIs1193182HzConvertedExactlyBothWays() {
        assertThat(Pit8254.tickAt(1_000_000_000L)).isEqualTo(1_193_182);
        assertThat(Pit8254.nanosOfTick(1_193_182)).isEqualTo(1_000_000_000L);
        assertThat(Pit8254.nanosOfTick(1)).isEqualTo(839);
        assertThat(Pit8254.tickAt(838)).isZero();
        assertThat(Pit8254.tickAt(839)).isEqualTo(1);
        long farAway = Long.MAX_VALUE / 2;
        assertThat(Pit8254.tickAt(Pit8254.nanosOfTick(Pit8254.tickAt(farAway)))).isEqualTo(Pit8254.tickAt(farAway));
    }

    @Test
    void mode2RaisesIrq0OncePerPeriodAndCountsDown() {
        program(0, 0x34, 1193);                                       // channel 0, lo/hi, mode 2
        assertThat(clock.nextDeadline()).isEqualTo(Pit8254.nanosOfTick(1193));
        clock.advanceTo(Pit8254.nanosOfTick(1192));
        assertThat(pic.latched(0)).isFalse();
        assertThat(readCount(0)).isEqualTo(1);
        clock.advanceTo(Pit8254.nanosOfTick(1193));
        assertThat(pic.latched(0)).isTrue();
        assertThat(readCount(0)).as("reloaded").isEqualTo(1193);
        assertThat(clock.nextDeadline()).as("a latched request makes further edges change nothing").isEqualTo(Long.MAX_VALUE);
        acknowledgeIrq0();
        clock.advanceTo(Pit8254.nanosOfTick(1193 * 5 + 10));
        assertThat(pic.latched(0)).as("one request however many periods passed").isTrue();
        assertThat(readCount(0)).isEqualTo(1183);
    }

    @Test
    void mode0RaisesIrq0OnceAtTheTerminalCountAndWrapsOn() {
        program(0, 0x30, 100);
        assertThat(outOf(0)).isFalse();
        clock.advanceTo(Pit8254.nanosOfTick(99));
        assertThat(outOf(0)).isFalse();
        clock.advanceTo(Pit8254.nanosOfTick(100));
        assertThat(outOf(0)).isTrue();
        assertThat(pic.latched(0)).isTrue();
        acknowledgeIrq0();
        clock.advanceTo(Pit8254.nanosOfTick(70_000));
        assertThat(pic.latched(0)).as("mode 0 fires once").isFalse();
        assertThat(readCount(0)).as("100 - 70000 modulo 65536").isEqualTo(61_172);
        assertThat(clock.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void mode3IsASquareWaveRisingOncePerPeriod() {
        program(0, 0x36, 10);
        clock.advanceTo(Pit8254.nanosOfTick(4));
        assertThat(outOf(0)).isTrue();
        assertThat(readCount(0)).isEqualTo(2);
        clock.advanceTo(Pit8254.nanosOfTick(5));
        assertThat(outOf(0)).isFalse();
        assertThat(readCount(0)).isEqualTo(10);
        assertThat(pic.latched(0)).isFalse();
        clock.advanceTo(Pit8254.nanosOfTick(10));
        assertThat(outOf(0)).isTrue();
        assertThat(pic.latched(0)).isTrue();
    }

    @Test
    void mode4StrobesOneTickAfterTheTerminalCount() {
        program(0, 0x38, 50);
        clock.advanceTo(Pit8254.nanosOfTick(50));
        assertThat(outOf(0)).isFalse();
        assertThat(pic.latched(0)).isFalse();
        clock.advanceTo(Pit8254.nanosOfTick(51));
        assertThat(outOf(0)).isTrue();
        assertThat(pic.latched(0)).isTrue();
    }

    @Test
    void theCounterLatchHoldsTheCountUntilBothBytesAreRead() {
        program(0, 0x34, 0);                                          // 0 is 65536
        clock.advanceTo(Pit8254.nanosOfTick(0x100));
        pit.write(0x43, 0x00);                                        // latch channel 0
        clock.advanceTo(Pit8254.nanosOfTick(0x300));
        assertThat(pit.read(0x40)).isEqualTo(0x00);
        clock.advanceTo(Pit8254.nanosOfTick(0x400));
        assertThat(pit.read(0x40)).isEqualTo(0xff);
        assertThat(readCount(0)).as("the latch is gone").isEqualTo(0x1_0000 - 0x400);
    }

    @Test
    void lowByteOnlyAccessAndBcdCounting() {
        pit.write(0x43, 0x50 | 0x01 | 0x04);                          // channel 1, low byte only, mode 2, BCD
        pit.write(0x41, 0x99);
        clock.advanceTo(Pit8254.nanosOfTick(10));
        assertThat(pit.read(0x41)).as("99 - 10 = 89 in BCD").isEqualTo(0x89);
    }

    @Test
    void readBackLatchesStatusThenCount() {
        program(0, 0x34, 1000);
        clock.advanceTo(Pit8254.nanosOfTick(999));
        pit.write(0x43, 0xc2);                                        // read-back: count and status of channel 0
        assertThat(pit.read(0x40)).as("status: OUT low, lo/hi, mode 2").isEqualTo(0x34);
        assertThat(pit.read(0x40) | pit.read(0x40) << 8).isEqualTo(1);
        clock.advanceTo(Pit8254.nanosOfTick(1000));
        pit.write(0x43, 0xe2);                                        // status only, count bit inactive
        assertThat(pit.read(0x40)).as("OUT high again").isEqualTo(0xb4);
        pit.write(0x43, 0x34);
        pit.write(0x43, 0xe2);
        assertThat(pit.read(0x40)).as("OUT high, null count until a count is written").isEqualTo(0xf4);
    }

    @Test
    void channel2IsGatedAndReadThroughPort0x61() {
        pit.write(0x61, 0x00);
        program(2, 0xb0, 100);                                        // channel 2, lo/hi, mode 0
        clock.advanceTo(Pit8254.nanosOfTick(500));
        assertThat(pit.read(0x61) & 0x20).as("the gate is low: no count").isZero();
        pit.write(0x61, 0x01);
        clock.advanceTo(Pit8254.nanosOfTick(599));
        assertThat(pit.read(0x61) & 0x20).isZero();
        clock.advanceTo(Pit8254.nanosOfTick(600));
        assertThat(pit.read(0x61) & 0x21).isEqualTo(0x21);
        assertThat(pic.latched(0)).as("channel 2 is not on IRQ 0").isFalse();
    }

    @Test
    void port0x61sRefreshBitTogglesEvery15Microseconds() {
        int before = pit.read(0x61) & 0x10;
        clock.advanceTo(15_085);
        assertThat(pit.read(0x61) & 0x10).isNotEqualTo(before);
    }

    private void program(int channel, int control, int count) {
        pit.write(0x43, control);
        pit.write(0x40 + channel, count & 0xff);
        pit.write(0x40 + channel, count >> 8 & 0xff);
    }

    private int readCount(int channel) {
        pit.write(0x43, channel << 6);
        return pit.read(0x40 + channel) | pit.read(0x40 + channel) << 8;
    }

    private boolean outOf(int channel) {
        pit.write(0x43, 0xe0 | 2 << channel);
        return (pit.read(0x40 + channel) & 0x80) != 0;
    }

    private void acknowledgeIrq0() {
        pic.write(0x21, 0xfa);
        assertThat(pic.acknowledge()).isEqualTo(0x08);
        pic.write(0x20, 0x20);
    }
}
