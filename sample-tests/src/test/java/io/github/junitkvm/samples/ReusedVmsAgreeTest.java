package io.github.junitkvm.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.KvmExtension;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * The proof that {@code junitkvm.reuseVms} changes nothing but the cost: runs every sample suite on
 * the backend {@code junitkvm.backend} selects, once with a new machine per test and once with
 * reused ones, and requires the same runs, test by test, digest by digest ({@link SampleRuns}), and
 * that the second pass did reuse machines.
 */
class ReusedVmsAgreeTest {
    private static final String BACKEND = System.getProperty("junitkvm.backend", "auto");

    @Test
    void everySampleGuestDoesTheSameOnAReusedMachineAsOnANewOne() {
        EngineExecutionResults fresh = SampleRuns.run(Map.of("junitkvm.backend", BACKEND));
        EngineExecutionResults reusing = SampleRuns.run(Map.of("junitkvm.backend", BACKEND,
                KvmExtension.REUSE_VMS_PARAMETER, "true"));
        Map<String, List<String>> onNew = SampleRuns.entries(fresh, KvmExtension.RUN_REPORT_KEY);
        Map<String, List<String>> onReused = SampleRuns.entries(reusing, KvmExtension.RUN_REPORT_KEY);

        assertThat(onNew).as("sample tests that ran guests").hasSizeGreaterThan(50);
        assertThat(onReused.keySet()).isEqualTo(onNew.keySet());
        assertThat(SampleRuns.entries(fresh, KvmExtension.VM_REPORT_KEY)).as("VM reports without reuse").isEmpty();
        assertThat(SampleRuns.entries(reusing, KvmExtension.VM_REPORT_KEY).values().stream()
                .flatMap(List::stream).filter("reused"::equals).count())
                .as("tests that ran on a reused machine").isGreaterThan(onNew.size() / 2);
        SoftAssertions differences = new SoftAssertions();
        onNew.forEach((test, newRuns) -> {
            List<String> reusedRuns = onReused.get(test);
            differences.assertThat(reusedRuns).as("runs of %s", test).hasSameSizeAs(newRuns);
            for (int i = 0; i < Math.min(newRuns.size(), reusedRuns.size()); i++) {
                differences.assertThat(SampleRuns.comparable(reusedRuns.get(i)))
                        .as("run %d of %s on a reused machine", i, test)
                        .isEqualTo(SampleRuns.comparable(newRuns.get(i)));
            }
        });
        differences.assertAll();
    }
}
