package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.junitkvm.Backend;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.TransientHypervisorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BackendSelectorTest {
    private final Hypervisor kvm = hypervisor(Backend.KVM);
    private final Hypervisor emulator = hypervisor(Backend.EMULATOR);
    private final AtomicInteger kvmProbes = new AtomicInteger();
    private final List<Long> pauses = new ArrayList<>();

    @Test
    void autoPrefersKvm() {
        BackendSelector selector = selector(() -> kvm, () -> emulator);

        assertThat(selector.select(Optional.empty())).isSameAs(kvm);
        assertThat(selector.select(Optional.of("auto"))).isSameAs(kvm);
        assertThat(selector.whyNoBackend(Optional.empty())).isEmpty();
    }

    @Test
    void autoDoesNotOpenTheEmulatorWhenKvmIsThere() {
        BackendSelector selector = selector(() -> kvm, () -> {
            throw new AssertionError("the emulator was opened");
        });

        assertThat(selector.whyNoBackend(Optional.empty())).isEmpty();
        assertThat(selector.select(Optional.empty())).isSameAs(kvm);
    }

    @Test
    void autoFallsBackToTheEmulatorAndProbesKvmOnlyOnce() {
        BackendSelector selector = selector(this::noKvm, () -> emulator);

        assertThat(selector.select(Optional.empty())).isSameAs(emulator);
        assertThat(selector.select(Optional.of(" AUTO "))).isSameAs(emulator);
        assertThat(kvmProbes).hasValue(1);
    }

    @Test
    void autoPrefersTheEmulatorToAKvmThatDeviatesFromTheCpuAndANamedKvmIsStillThatKvm() {
        when(kvm.deviation()).thenReturn(Optional.of("/dev/kvm is kvm_pvm"));
        BackendSelector selector = selector(() -> kvm, () -> emulator);

        assertThat(selector.select(Optional.empty())).isSameAs(emulator);
        assertThat(selector.select(Optional.of("kvm"))).isSameAs(kvm);
        assertThat(selector.whyNoBackend(Optional.empty())).isEmpty();
    }

    @Test
    void autoTakesAKvmThatDeviatesWhereTheEmulatorIsUnavailable() {
        when(kvm.deviation()).thenReturn(Optional.of("/dev/kvm is kvm_pvm"));
        BackendSelector selector = selector(() -> kvm, () -> {
            throw new HypervisorUnavailableException("no libunicorn.so.2");
        });

        assertThat(selector.select(Optional.empty())).isSameAs(kvm);
    }

    @Test
    void namedBackendsAreTakenEvenWhenAnotherIsAvailable() {
        BackendSelector selector = selector(() -> kvm, () -> emulator);

        assertThat(selector.select(Optional.of("emulator"))).isSameAs(emulator);
        assertThat(selector.select(Optional.of("kvm"))).isSameAs(kvm);
    }

    @Test
    void closingClosesEveryHypervisorOpenedAndSelectsNoneAfter() {
        BackendSelector selector = selector(() -> kvm, () -> emulator);
        selector.select(Optional.of("kvm"));
        selector.select(Optional.of("emulator"));

        selector.close();
        selector.close();

        verify(kvm).close();
        verify(emulator).close();
        assertThatThrownBy(() -> selector.select(Optional.of("kvm")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the backends are closed: their test run is over");
    }

    @Test
    void closingLeavesAloneWhatWasNeverOpened() {
        BackendSelector selector = selector(this::noKvm, () -> emulator);
        selector.whyNoBackend(Optional.of("kvm"));

        selector.close();

        verify(emulator, never()).close();
    }

    @Test
    void aNamedBackendThatIsUnavailableFailsSayingWhy() {
        BackendSelector selector = selector(this::noKvm, () -> emulator);

        assertThat(selector.whyNoBackend(Optional.of("kvm"))).as("a failure, not a skip").isEmpty();
        assertThatThrownBy(() -> selector.select(Optional.of("kvm")))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("junitkvm.backend=kvm, but the KVM backend is unavailable: no /dev/kvm here");
    }

    @Test
    void autoWithNoBackendExplainsBothReasons() {
        BackendSelector selector = selector(this::noKvm, () -> {
            throw new HypervisorUnavailableException("libunicorn.so.2 is missing");
        });

        assertThat(selector.whyNoBackend(Optional.empty())).hasValue(
                "no backend can run guests here (junitkvm.backend=auto): KVM: no /dev/kvm here; "
                        + "emulator: libunicorn.so.2 is missing");
        assertThatThrownBy(() -> selector.select(Optional.empty()))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessageContaining("no backend can run guests here");
    }

    @Test
    void anUnknownSettingIsAnError() {
        BackendSelector selector = selector(() -> kvm, () -> emulator);

        assertThatThrownBy(() -> selector.select(Optional.of("qemu")))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("junitkvm.backend=qemu is not a backend: use auto, kvm or emulator");
    }

    @Test
    void aTransientFailureIsTriedAgainAfterAPause() {
        Supplier<Hypervisor> emulatorAtTheThirdAttempt = failingTimes(2, () -> emulator);
        BackendSelector selector = new BackendSelector(Map.of(Backend.KVM, this::noKvm,
                Backend.EMULATOR, emulatorAtTheThirdAttempt), pauses::add);

        assertThat(selector.select(Optional.of("emulator"))).isSameAs(emulator);
        assertThat(pauses).containsExactly(100L, 300L);
        assertThat(selector.select(Optional.empty())).as("remembered once open").isSameAs(emulator);
        assertThat(pauses).hasSize(2);
    }

    @Test
    void aTransientFailureFailsTheTestWithItsCauseAndTheNextTestTriesAgain() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger failuresLeft = new AtomicInteger(4);
        BackendSelector selector = new BackendSelector(Map.of(Backend.KVM, this::noKvm, Backend.EMULATOR, () -> {
            attempts.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new TransientHypervisorException("cannot start the emulator worker: error=24, Too many open files");
            }
            return emulator;
        }), pauses::add);

        assertThat(selector.whyNoBackend(Optional.empty())).as("a transient failure is not a reason to skip").isEmpty();
        assertThatThrownBy(() -> selector.select(Optional.empty()))
                .isInstanceOf(TransientHypervisorException.class)
                .hasMessage("junitkvm.backend=auto: the EMULATOR backend could not be opened (tried 3 times, pausing"
                        + " 400 ms in all): cannot start the emulator worker: error=24, Too many open files; this may"
                        + " pass, and the next test tries again")
                .hasRootCauseMessage("cannot start the emulator worker: error=24, Too many open files");
        assertThat(attempts).as("one probe, then three attempts").hasValue(4);

        assertThat(selector.whyNoBackend(Optional.empty())).isEmpty();
        assertThat(selector.select(Optional.empty())).isSameAs(emulator);
    }

    @Test
    void aTransientFailureOfKvmIsNotHiddenByTheEmulator() {
        Supplier<Hypervisor> kvmOutOfDescriptors = () -> {
            throw new TransientHypervisorException("cannot open /dev/kvm: Too many open files (errno 24)");
        };
        BackendSelector selector = new BackendSelector(Map.of(Backend.KVM, kvmOutOfDescriptors, Backend.EMULATOR, () -> {
            throw new AssertionError("the emulator was opened");
        }), pauses::add);

        assertThat(selector.whyNoBackend(Optional.empty())).isEmpty();
        assertThatThrownBy(() -> selector.select(Optional.empty()))
                .isInstanceOf(TransientHypervisorException.class)
                .hasMessageContaining("the KVM backend could not be opened")
                .hasMessageContaining("Too many open files (errno 24)");
    }

    @Test
    void aNamedBackendThatFailsTransientlyFailsTheTestAsSuch() {
        BackendSelector selector = new BackendSelector(Map.of(Backend.KVM, failingTimes(3, () -> kvm),
                Backend.EMULATOR, () -> emulator), pauses::add);

        assertThat(selector.whyNoBackend(Optional.of("kvm"))).isEmpty();
        assertThatThrownBy(() -> selector.select(Optional.of("kvm")))
                .isInstanceOf(TransientHypervisorException.class)
                .hasMessageStartingWith("junitkvm.backend=kvm: the KVM backend could not be opened (tried 3 times");
        assertThat(selector.select(Optional.of("kvm"))).isSameAs(kvm);
    }

    @Test
    void anInterruptedPauseEndsTheAttempts() {
        AtomicInteger attempts = new AtomicInteger();
        BackendSelector selector = new BackendSelector(Map.of(Backend.KVM, this::noKvm, Backend.EMULATOR, () -> {
            attempts.incrementAndGet();
            throw new TransientHypervisorException("out of memory");
        }), millis -> {
            throw new InterruptedException();
        });

        try {
            assertThatThrownBy(() -> selector.select(Optional.empty()))
                    .isInstanceOf(TransientHypervisorException.class)
                    .hasMessageContaining("(tried once)");
            assertThat(attempts).hasValue(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    @Timeout(60)
    void testsThatAskAtOnceWaitForOneOpening() throws Exception {
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger openings = new AtomicInteger();
        BackendSelector selector = selector(this::noKvm, () -> {
            openings.incrementAndGet();
            opening.countDown();
            awaitUninterruptibly(release);
            return emulator;
        });
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Hypervisor> first = threads.submit(() -> selector.select(Optional.of("emulator")));
            opening.await();
            AtomicReference<Thread> secondThread = new AtomicReference<>();
            Future<Hypervisor> second = threads.submit(() -> {
                secondThread.set(Thread.currentThread());
                return selector.select(Optional.of("emulator"));
            });
            // Until the second waits for the first's outcome, or (wrongly) opens the backend itself.
            while (openings.get() == 1
                    && (secondThread.get() == null || secondThread.get().getState() != Thread.State.BLOCKED)) {
                Thread.onSpinWait();
            }
            release.countDown();

            assertThat(first.get()).isSameAs(emulator);
            assertThat(second.get()).isSameAs(emulator);
            assertThat(openings).hasValue(1);
        } finally {
            threads.shutdownNow();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** @return an opener that throws a transient failure {@code times} times, then opens */
    private static Supplier<Hypervisor> failingTimes(int times, Supplier<Hypervisor> then) {
        AtomicInteger failuresLeft = new AtomicInteger(times);
        return () -> {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new TransientHypervisorException("out of file descriptors");
            }
            return then.get();
        };
    }

    private Hypervisor noKvm() {
        kvmProbes.incrementAndGet();
        throw new HypervisorUnavailableException("no /dev/kvm here");
    }

    private static BackendSelector selector(Supplier<Hypervisor> kvm, Supplier<Hypervisor> emulator) {
        return new BackendSelector(Map.of(Backend.KVM, kvm, Backend.EMULATOR, emulator));
    }

    private static Hypervisor hypervisor(Backend backend) {
        Hypervisor hypervisor = mock(Hypervisor.class);
        when(hypervisor.backend()).thenReturn(backend);
        return hypervisor;
    }
}
