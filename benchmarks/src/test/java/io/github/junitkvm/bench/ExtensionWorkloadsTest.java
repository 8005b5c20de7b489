package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.bench.fixture.Guests;
import io.github.junitkvm.bench.fixture.PlainTests;
import io.github.junitkvm.bench.fixture.TwoPlusTwoTests;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.kvm.KvmHypervisor;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Java workloads, briefly, on each backend: each checks what its guest did, so a value means a right run. */
class ExtensionWorkloadsTest {
    private static final Duration SHORT = Duration.ofMillis(20);

    @Test
    void onTheEmulator() throws Exception {
        try (EmulatorHypervisor emulator = EmulatorHypervisor.open()) {
            ExtensionWorkloads workloads = new ExtensionWorkloads(emulator);
            // Each live emulator VM holds a worker JVM of its own: tens of MiB, far above the noise of
            // a JVM's resident size, which a few VMs' kernel memory on KVM would drown in.
            assertThat(workloads.memory(Guests.twoPlusTwo(), 4).measure()).as("KiB per live VM")
                    .isGreaterThan(10 * 1024);
            assertThat(workloads.registerRoundTrip(Guests.twoPlusTwo(), SHORT).measure()).isPositive();
            workloadsRunOn(workloads);
        }
    }

    @Test
    @Tag("kvm")
    void onKvm() throws Exception {
        try (KvmHypervisor kvm = KvmHypervisor.open()) {
            workloadsRunOn(new ExtensionWorkloads(kvm));
        }
    }

    @Test
    void theJnaCallbackAloneCountsEveryExit() throws Exception {
        assertThat(new JnaUnicornExits().round(Guests.outLoop(), SHORT).measure()).isPositive();
    }

    @Test
    void theLauncherRunsEveryTestOfAFixtureAndRequiresThemToPass() {
        try (LauncherWorkload launcher = new LauncherWorkload("emulator")) {
            assertThat(launcher.execute(TwoPlusTwoTests.class)).isEqualTo(TwoPlusTwoTests.TESTS);
            assertThat(launcher.execute(PlainTests.class)).isEqualTo(TwoPlusTwoTests.TESTS);
            assertThatThrownBy(() -> launcher.execute(FailingFixture.class))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("FailingFixture on emulator: 0 passed, 1 failed")
                    .hasMessageContaining("expected: 5");
        }
    }

    private static void workloadsRunOn(ExtensionWorkloads workloads) throws Exception {
        assertThat(workloads.lifecycle(Guests.twoPlusTwo(), SHORT).measure()).isPositive();
        assertThat(workloads.exits(Guests.outLoop(), SHORT).measure()).isPositive();
        // Last: its pool's closing can shut down a surplus emulator worker, which a memory
        // measurement running meanwhile would see as memory given back.
        assertThat(workloads.reusedLifecycle(Guests.twoPlusTwo(), SHORT).measure()).isPositive();
    }

    /** Run only through the launcher above: its failure is what the test expects. */
    @Tag("fixture")
    static class FailingFixture {
        @org.junit.jupiter.api.Test
        void addsWrongly() {
            assertThat(2 + 2).isEqualTo(5);
        }
    }
}
