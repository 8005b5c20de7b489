package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.emulator.worker.WorkerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The backends a JUnit run opens belong to that run: when its launcher session ends, the emulator's
 * workers have exited and KVM's {@code /dev/kvm} descriptor is closed. Runs a small
 * {@code @KvmGuest} suite in a launcher session of its own, as a build tool would, on the backend
 * this suite runs on.
 */
class RunEndReleasesBackendsTest {
    private static final Path KVM_DEVICE = Path.of("/dev/kvm");

    @Test
    void endingTheLauncherSessionEndsTheWorkersAndClosesTheKvmDevice() throws Exception {
        Set<Long> workersBefore = workerPids();
        long kvmDescriptorsBefore = kvmDescriptors();
        Set<Long> workersOfTheRun;

        try (LauncherSession session = LauncherFactory.openSession()) {
            execute(session);
            workersOfTheRun = newWorkers(workersBefore);
            execute(session);

            assertThat(newWorkers(workersBefore)).as("the workers of the session's second request").isEqualTo(workersOfTheRun);
            switch (System.getProperty("junitkvm.backend", "auto")) {
                case "emulator" -> assertThat(workersOfTheRun)
                        .as("the run's idle worker, kept for the session's next request").hasSize(1);
                case "kvm" -> assertThat(kvmDescriptors())
                        .as("the run's descriptor of /dev/kvm, kept for the session's next request")
                        .isEqualTo(kvmDescriptorsBefore + 1);
                default -> { }  // auto: either
            }
        }

        for (long pid : workersOfTheRun) {
            ProcessHandle.of(pid).ifPresent(worker -> worker.onExit().completeOnTimeout(worker, 10, TimeUnit.SECONDS).join());
        }
        // noneMatch, not doesNotContainAnyElementsOf: on KVM the run has no workers, an empty set.
        assertThat(workerPids()).as("worker processes after the session ended").noneMatch(workersOfTheRun::contains);
        assertThat(kvmDescriptors()).as("descriptors of /dev/kvm after the session ended").isEqualTo(kvmDescriptorsBefore);
    }

    private static void execute(LauncherSession session) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        session.getLauncher().execute(request(), listener);
        assertThat(listener.getSummary().getTestsSucceededCount()).as("tests passed").isEqualTo(1);
    }

    private static Set<Long> newWorkers(Set<Long> before) {
        return workerPids().stream().filter(pid -> !before.contains(pid)).collect(Collectors.toSet());
    }

    private static LauncherDiscoveryRequest request() {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(TinySuite.class))
                .configurationParameter("junitkvm.backend", System.getProperty("junitkvm.backend", "auto"));
        // The Unicorn library of this run's emulator: a launcher run sees only the parameters it is given.
        String unicorn = System.getProperty(EmulatorHypervisor.UNICORN_PARAMETER);
        if (unicorn != null) {
            request.configurationParameter(EmulatorHypervisor.UNICORN_PARAMETER, unicorn);
        }
        return request.build();
    }

    /** @return the emulator workers this JVM started that still run */
    private static Set<Long> workerPids() {
        return ProcessHandle.current().children()
                .filter(child -> child.info().arguments().map(List::of).orElse(List.of()).contains(WorkerMain.class.getName()))
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    /** @return how many of this process's file descriptors are open on {@code /dev/kvm} */
    private static long kvmDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(KVM_DEVICE);
                } catch (IOException gone) {
                    return false;  // the listing's own descriptor, closed meanwhile
                }
            }).count();
        }
    }

    /** Run only by the test above, in a launcher session of its own. */
    @Tag("fixture")
    static class TinySuite {
        @Test
        @KvmGuest(code = "b0 34 e6 80 f4", timeoutMillis = 5_000)  // mov al,'4'; out 0x80,al; hlt
        void haltsAfterOneOut(GuestRun run) {
            assertThat(run).haltedNormally().portOutput(0x80).containsExactly('4');
        }
    }
}
