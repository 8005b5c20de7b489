package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuExceptionsTest {
    @Test
    void namesArchitecturalExceptionsAndOtherVectors() {
        assertThat(CpuExceptions.name(0)).isEqualTo("#DE divide error");
        assertThat(CpuExceptions.name(3)).isEqualTo("#BP breakpoint");
        assertThat(CpuExceptions.name(14)).isEqualTo("#PF page fault");
        assertThat(CpuExceptions.name(25)).isEqualTo("reserved vector 25");
        assertThat(CpuExceptions.name(0x80)).isEqualTo("interrupt 0x80");
    }
}
