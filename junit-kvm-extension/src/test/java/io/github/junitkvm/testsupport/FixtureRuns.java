package io.github.junitkvm.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.github.junitkvm.emulator.EmulatorHypervisor;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs one method of a fixture class (tagged {@code fixture}, run only this way) through JUnit's
 * {@code EngineTestKit}, for tests about how a test fails: on the backend (and Unicorn library) this suite runs on, and
 * requiring it to fail, not to be skipped.
 */
public final class FixtureRuns {
    private FixtureRuns() {
    }

    /**
     * @param fixture the fixture class
     * @param method the test method's name
     * @param parameterTypes its parameter types' names, comma-separated ({@code ""} for none)
     * @return what the method failed with
     */
    public static Throwable failureOf(Class<?> fixture, String method, String parameterTypes) {
        return failureOf(fixture, method, parameterTypes, Map.of());
    }

    /**
     * @param fixture the fixture class
     * @param method the test method's name
     * @param parameterTypes its parameter types' names, comma-separated ({@code ""} for none)
     * @param configuration JUnit configuration parameters for the run, besides the backend
     * @return what the method failed with
     */
    public static Throwable failureOf(Class<?> fixture, String method, String parameterTypes,
                                      Map<String, String> configuration) {
        EngineTestKit.Builder kit = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junitkvm.backend", System.getProperty("junitkvm.backend", "auto"));
        // The Unicorn library of this run's emulator: an EngineTestKit run sees only the parameters it is given.
        String unicorn = System.getProperty(EmulatorHypervisor.UNICORN_PARAMETER);
        if (unicorn != null) {
            kit.configurationParameter(EmulatorHypervisor.UNICORN_PARAMETER, unicorn);
        }
        Events events = kit
                .configurationParameters(configuration)
                .selectors(selectMethod(fixture, method, parameterTypes))
                .execute().allEvents();
        assertThat(events.skipped().count()).as("skipped").isZero();
        assertThat(events.failed().count()).as("failed").isEqualTo(1);
        return events.failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
    }
}
