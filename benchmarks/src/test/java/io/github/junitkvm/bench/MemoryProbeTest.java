package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryProbeTest {
    @Test
    void readsVmRssFromAStatusFile() {
        assertThat(MemoryProbe.parseResidentKib("Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t   12345 kB\n"))
                .isEqualTo(12345);
    }

    @Test
    void aZombieHasNoRss() {
        assertThat(MemoryProbe.parseResidentKib("Name:\tjava\nState:\tZ (zombie)\n")).isZero();
    }

    @Test
    void thisProcessHoldsMemory() {
        assertThat(MemoryProbe.processTreeKib()).isGreaterThan(1024);
        assertThat(MemoryProbe.residentKib(ProcessHandle.current().pid())).isPositive();
    }
}
