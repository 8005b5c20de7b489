package io.github.junitkvm.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.ClassNameFilter.excludeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import io.github.junitkvm.KvmExtension;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.guest.RunDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventType;

/**
 * Runs the sample suites through {@link EngineTestKit} with {@link KvmExtension#REPORT_RUNS_PARAMETER}
 * on, for the differential tests, and collects what they reported.
 */
final class SampleRuns {
    private SampleRuns() {
    }

    /**
     * Runs every sample suite but the differential tests and the fixtures, and requires that none
     * failed or aborted.
     *
     * @param parameters configuration parameters to run with
     * @param excluded further classes to leave out
     * @return the results
     */
    static EngineExecutionResults run(Map<String, String> parameters, Class<?>... excluded) {
        List<String> left = new ArrayList<>(List.of(BackendsAgreeTest.class.getName(),
                ReusedVmsAgreeTest.class.getName(), SampleRuns.class.getName()));
        Arrays.stream(excluded).map(Class::getName).forEach(left::add);
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameters(unicornOfThisRun())
                .configurationParameters(parameters)
                .configurationParameter(KvmExtension.REPORT_RUNS_PARAMETER, "true")
                .selectors(selectPackage(SampleRuns.class.getPackageName()))
                .filters(excludeClassNamePatterns(left.toArray(String[]::new)),
                        // Run by other tests only, which fail them on purpose.
                        TagFilter.excludeTags("fixture"))
                .execute();
        List<String> failures = results.testEvents().stream()
                .filter(event -> event.getType() == EventType.FINISHED)
                .filter(event -> event.getPayload(TestExecutionResult.class)
                        .map(result -> result.getStatus() != TestExecutionResult.Status.SUCCESSFUL).orElse(false))
                .map(event -> event.getTestDescriptor().getUniqueId() + ": " + event.getPayload(
                        TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(Throwable::toString)
                        .orElse("?"))
                .toList();
        assertThat(failures).as("sample tests that failed or aborted with %s", parameters).isEmpty();
        return results;
    }

    /**
     * @return the Unicorn library this run's emulator loads, as the system property names it: an
     *     {@code EngineTestKit} run sees only the parameters it is given
     */
    private static Map<String, String> unicornOfThisRun() {
        String unicorn = System.getProperty(EmulatorHypervisor.UNICORN_PARAMETER);
        return unicorn == null ? Map.of() : Map.of(EmulatorHypervisor.UNICORN_PARAMETER, unicorn);
    }

    /**
     * @param results what {@link #run} returned
     * @param key a report entry key
     * @return per test, the values of its report entries with that key, in order
     */
    static Map<String, List<String>> entries(EngineExecutionResults results, String key) {
        Map<String, List<String>> values = new TreeMap<>();
        results.allEvents().reportingEntryPublished().stream().forEach(event -> {
            String value = event.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs().get(key);
            if (value != null) {
                values.computeIfAbsent(event.getTestDescriptor().getUniqueId().toString(), id -> new ArrayList<>())
                        .add(value);
            }
        });
        return values;
    }

    /**
     * A run stopped at its time limit is compared by how it stopped and what it printed only: how
     * far a spinning guest got in the time depends on the backend's speed and the machine's load.
     *
     * @param digest a {@link RunDigest}
     * @return what of it must be the same between two runs of the same guest
     */
    static String comparable(String digest) {
        List<String> fields = Arrays.asList(digest.split("; "));
        assertThat(fields).hasSize(RunDigest.FIELDS.length);
        return fields.get(0).equals("stop=TIMEOUT") ? String.join("; ", fields.subList(0, 2)) : digest;
    }
}
