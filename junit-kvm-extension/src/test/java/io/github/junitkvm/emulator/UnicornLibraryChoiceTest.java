package io.github.junitkvm.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmExtension;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.testsupport.KvmHost;
import io.github.junitkvm.testsupport.RecordingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * {@code junitkvm.unicorn} with real workers and real libraries: what a worker loads, what a test's
 * report says about it, and what a library that does not load does to a test.
 */
class UnicornLibraryChoiceTest {
    @TempDir
    Path dir;

    @Test
    void theSystemsLibraryIsUnicorn2AndSaysItsFullVersion() {
        try (EmulatorHypervisor hypervisor = EmulatorHypervisor.open(Optional.of("system"))) {
            assertThat(hypervisor.unicornVersion()).matches("2\\.\\d+\\.\\d+");
            assertThat(hypervisor.libraryDescription()).hasValue(hypervisor.unicornVersion()
                    + " (the system's libunicorn.so.2)");
        }
    }

    @Test
    void aFileThatIsNoLibraryFailsWithTheWorkersWordsNotACrash() throws Exception {
        Path notALibrary = Files.writeString(dir.resolve("libunicorn.so.2"), "not a library\n");

        assertThatThrownBy(() -> EmulatorHypervisor.open(Optional.of(notALibrary.toString())))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessageStartingWith("junitkvm.unicorn=" + notALibrary + ", but " + notALibrary
                        + " does not load: the emulator worker said: ")
                .hasMessageContaining("libunicorn.so.2");
    }

    @Test
    void aPipInstalledWheelRunsGuestsWhereOneIsInstalled() {
        Path library;
        try {
            library = UnicornWheel.onPath().locate();
        } catch (RuntimeException noWheel) {
            Assumptions.abort("no pip-installed unicorn wheel: " + noWheel.getMessage());
            return;
        }
        try (EmulatorHypervisor hypervisor = EmulatorHypervisor.open(Optional.of("wheel"));
             VirtualMachine machine = Guests.load(hypervisor, "f4", 0, 0, 0)) {
            assertThat(hypervisor.libraryDescription()).hasValue(hypervisor.unicornVersion() + " " + library);
            assertThat(machine.run(Set.of(), new RecordingListener()))
                    .isEqualTo(StopCause.hlt());
        }
    }

    @Test
    void eachTestsReportNamesTheLibraryItsGuestRanOn() {
        Events events = run("emulator", "system");

        assertThat(events.failed().count()).isZero();
        assertThat(events.reportingEntryPublished().stream()
                .map(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .filter(pairs -> pairs.containsKey(KvmExtension.UNICORN_REPORT_KEY))
                .map(pairs -> pairs.get(KvmExtension.UNICORN_REPORT_KEY)))
                .singleElement(InstanceOfAssertFactories.STRING)
                .matches("2\\.\\d+\\.\\d+ \\(the system's libunicorn\\.so\\.2\\)");
    }

    @Test
    void aMissingLibraryFailsEveryTestNamingTheParameterAndThePath() {
        Path missing = dir.resolve("nowhere/libunicorn.so.2");

        assertThat(failureOf(run("emulator", missing.toString())))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("junitkvm.unicorn=" + missing + ", but there is no file " + missing
                        + "; use auto, system, wheel or the path of a libunicorn.so.2");
    }

    @Test
    void aMissingLibraryIsNoReasonForAutoToSkip() {
        Path missing = dir.resolve("nowhere/libunicorn.so.2");

        Events events = run("auto", missing.toString());

        // auto takes a KVM that runs guests as a CPU does without asking for the emulator; on PVM it
        // asks for the emulator first, and the library named meets the same fate as without KVM.
        if (Files.isWritable(Path.of("/dev/kvm")) && !KvmHost.isPvm()) {
            assertThat(events.succeeded().stream().filter(event -> event.getTestDescriptor().isTest()).count())
                    .as("the test passed on KVM, which needs no Unicorn").isEqualTo(1);
        } else {
            assertThat(failureOf(events)).hasMessageContaining("junitkvm.unicorn=" + missing + ", but there is no file");
        }
    }

    /** @return the one test's failure, requiring that it was not skipped */
    private static Throwable failureOf(Events events) {
        assertThat(events.skipped().count()).as("skipped").isZero();
        assertThat(events.failed().count()).as("failed").isEqualTo(1);
        return events.failed().stream().findFirst().orElseThrow().getRequiredPayload(TestExecutionResult.class)
                .getThrowable().orElseThrow();
    }

    private static Events run(String backend, String unicorn) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(Map.of("junitkvm.backend", backend, "junitkvm.unicorn", unicorn))
                .selectors(selectMethod(Fixture.class, "halts", GuestRun.class.getName()))
                .execute().allEvents();
    }

    /** Run by the tests above only. */
    @Tag("fixture")
    static class Fixture {
        @Test
        @KvmGuest(code = "f4")
        void halts(GuestRun run) {
            assertThat(run.lastExit().reason()).isEqualTo(ExitReason.HLT);
        }
    }
}
