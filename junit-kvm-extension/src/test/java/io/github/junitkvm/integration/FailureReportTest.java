package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static io.github.junitkvm.KvmAssertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.testsupport.DisabledOnPvm;
import org.junit.jupiter.api.Test;

class FailureReportTest {
    @Test
    @DisabledOnPvm
    @KvmGuest(code = "ba f8 03 b0 61 ee fe c0 ee 90 f4", trace = 16)
    void scratch(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).hasSerialOutput("xy")).satisfies(e -> System.out.println(e.getMessage()));
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = "ba f8 03 00 00 b0 61 ee fe c0 ee 90 f4")
    void scratchLong(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).registers().hasRax(1)).satisfies(e -> System.out.println(e.getMessage()));
    }
}
