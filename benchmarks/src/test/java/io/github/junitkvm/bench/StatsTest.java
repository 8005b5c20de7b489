package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfAnOddCountIsTheMiddleSample() {
        Stats stats = Stats.of(9, 1, 5);
        assertThat(stats).isEqualTo(new Stats(5, 1, 9, 3));
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Stats.of(4, 1, 10, 2).median()).isEqualTo(3);
    }

    @Test
    void anOutlierRoundMovesTheRangeButNotTheMedian() {
        Stats stats = Stats.of(100, 101, 99, 100, 5000);
        assertThat(stats.median()).isEqualTo(100);
        assertThat(stats.max()).isEqualTo(5000);
        assertThat(stats.spread()).isEqualTo((5000 - 99) / 100.0);
    }

    @Test
    void noSamplesIsAnError() {
        assertThatThrownBy(Stats::of).isInstanceOf(IllegalArgumentException.class).hasMessage("no samples");
    }
}
