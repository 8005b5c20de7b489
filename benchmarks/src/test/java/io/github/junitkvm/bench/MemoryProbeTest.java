package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryProbeTest {
    @Test
    void readsThePssFromASmapsRollup() {
        assertThat(MemoryProbe.parseProportionalKib("00400000-7ffd0000 ---p 00000000 00:00 0    [rollup]\n"
                + "Rss:               58924 kB\nPss:               38752 kB\nPss_Dirty:         34620 kB\n"))
                .isEqualTo(38752);
    }

    @Test
    void aZombieHasNoPss() {
        assertThat(MemoryProbe.parseProportionalKib("")).isZero();
    }

    @Test
    void thisProcessHoldsMemory() {
        assertThat(MemoryProbe.processTreeKib()).isGreaterThan(1024);
        assertThat(MemoryProbe.proportionalKib(ProcessHandle.current().pid())).isPositive();
    }
}
