package io.github.junitkvm.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitkvm.guest.BackendSelector;
import java.time.Duration;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs a fixture class through the JUnit Platform launcher, as a build tool or IDE does (discovery
 * included), on a chosen backend, and requires every test to pass. Every execution belongs to one
 * launcher session, as a build tool's do: the extension's backends, which the session's store owns,
 * stay open from one round to the next (the emulator's workers stay warm), and end when the
 * workload is closed.
 */
public final class LauncherWorkload implements AutoCloseable {
    private final LauncherSession session = LauncherFactory.openSession();
    private final Launcher launcher = session.getLauncher();
    private final String backend;

    /** @param backend the {@code junitkvm.backend} setting: {@code kvm} or {@code emulator} */
    public LauncherWorkload(String backend) {
        this.backend = backend;
    }

    /** Ends the launcher session, and with it the extension's backends. */
    @Override
    public void close() {
        session.close();
    }

    /**
     * @param fixture the test class
     * @param budget the least time the round lasts; the class runs whole, as often as it takes
     * @return a round: microseconds per test
     */
    public Round round(Class<?> fixture, Duration budget) {
        return () -> TimedLoop.microsPerUnit(budget, () -> execute(fixture));
    }

    /**
     * @param fixture the test class
     * @return how many tests passed
     * @throws IllegalStateException if a test failed or none ran
     */
    long execute(Class<?> fixture) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(fixture))
                .configurationParameter(BackendSelector.PARAMETER, backend)
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        if (summary.getTotalFailureCount() > 0 || summary.getTestsSucceededCount() == 0) {
            StringBuilder failures = new StringBuilder();
            summary.getFailures().stream().limit(3).forEach(f -> failures.append("\n  ")
                    .append(f.getTestIdentifier().getDisplayName()).append(": ").append(f.getException()));
            throw new IllegalStateException(fixture.getSimpleName() + " on " + backend + ": "
                    + summary.getTestsSucceededCount() + " passed, " + summary.getTotalFailureCount() + " failed, "
                    + summary.getTestsSkippedCount() + " skipped, " + summary.getTestsAbortedCount() + " aborted"
                    + failures);
        }
        return summary.getTestsSucceededCount();
    }
}
