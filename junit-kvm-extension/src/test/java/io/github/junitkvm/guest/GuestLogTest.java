package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How much of a chatty guest's log a run keeps. */
class GuestLogTest {
    @Test
    void keepsLinesUpToTheCharacterLimitThenOnlyCountsThem() {
        GuestLog log = new GuestLog(new RecordingLimits(100, 10));

        assertThat(log.add("abcd")).isTrue();
        assertThat(log.add("efghij")).isTrue();
        assertThat(log.add("k")).as("past 10 characters").isFalse();
        assertThat(log.add("")).as("the log stays a beginning: no line after one it dropped").isFalse();

        assertThat(log.lines()).containsExactly("abcd", "efghij");
        assertThat(log.dropped()).isEqualTo(2);
    }

    @Test
    void keepsAtMostAsManyLinesAsExits() {
        GuestLog log = new GuestLog(new RecordingLimits(2, 1000));

        log.add("a");
        log.add("b");
        log.add("c");

        assertThat(log.lines()).containsExactly("a", "b");
        assertThat(log.dropped()).isEqualTo(1);
    }

    @Test
    void aLineLongerThanTheWholeLimitIsCountedNotCut() {
        GuestLog log = new GuestLog(new RecordingLimits(100, 3));

        assertThat(log.add("abcd")).isFalse();

        assertThat(log.lines()).isEmpty();
        assertThat(log.dropped()).isEqualTo(1);
    }
}
