package io.github.junitkvm.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.KvmExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The differential test: runs every sample suite on KVM and on the emulator and compares, run by
 * run, how each guest stopped, its serial output, its exits and its final registers. Needs both
 * backends, so it is tagged {@code kvm}: it runs where {@code /dev/kvm} exists and in CI's
 * KVM-in-QEMU stage, and is skipped, saying why, where {@code /dev/kvm} is PVM's, which does not run
 * every guest as a CPU does. Where the backends differ on purpose, the difference is in the guide's
 * emulator table and pinned by tests that state both behaviours; the samples avoid those corners.
 * {@link ModeSwitchTest}, a guest that switches from real to protected to long mode itself, and
 * {@link InterruptHandlersTest}, guests whose own IVT and IDT handlers serve software interrupts
 * and faults, are compared like every other sample.
 */
@Tag("kvm")
class BackendsAgreeTest {

    @Test
    void everySampleGuestDoesTheSameOnKvmAndOnTheEmulator() {
        Assumptions.assumeFalse(Files.isDirectory(Path.of("/sys/module/kvm_pvm")), "this /dev/kvm is kvm_pvm, KVM"
                + " without hardware virtualization, which does not run every guest as a CPU does: the comparison"
                + " needs hardware KVM, as in tools/kvm-in-qemu");
        Map<String, List<String>> onKvm = runSamplesOn("kvm");
        Map<String, List<String>> onEmulator = runSamplesOn("emulator");

        assertThat(onKvm).as("sample tests that ran guests").hasSizeGreaterThan(50);
        assertThat(onEmulator.keySet()).isEqualTo(onKvm.keySet());
        SoftAssertions differences = new SoftAssertions();
        onKvm.forEach((test, kvmRuns) -> {
            List<String> emulatorRuns = onEmulator.get(test);
            differences.assertThat(emulatorRuns).as("runs of %s", test).hasSameSizeAs(kvmRuns);
            for (int i = 0; i < Math.min(kvmRuns.size(), emulatorRuns.size()); i++) {
                differences.assertThat(SampleRuns.comparable(emulatorRuns.get(i))).as("run %d of %s on the emulator", i, test)
                        .isEqualTo(SampleRuns.comparable(kvmRuns.get(i)));
            }
        });
        differences.assertAll();
    }

    /** @return per sample test, the digests of its runs in order */
    private static Map<String, List<String>> runSamplesOn(String backend) {
        EngineExecutionResults results = SampleRuns.run(Map.of("junitkvm.backend", backend));
        results.testEvents().assertStatistics(stats -> stats.skipped(0));
        return SampleRuns.entries(results, KvmExtension.RUN_REPORT_KEY);
    }
}
