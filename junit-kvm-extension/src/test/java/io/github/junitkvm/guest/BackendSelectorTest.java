package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.github.junitkvm.Backend;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BackendSelectorTest {
    private final Hypervisor kvm = hypervisor(Backend.KVM);
    private final Hypervisor emulator = hypervisor(Backend.EMULATOR);
    private final AtomicInteger kvmProbes = new AtomicInteger();

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
    void namedBackendsAreTakenEvenWhenAnotherIsAvailable() {
        BackendSelector selector = selector(() -> kvm, () -> emulator);

        assertThat(selector.select(Optional.of("emulator"))).isSameAs(emulator);
        assertThat(selector.select(Optional.of("kvm"))).isSameAs(kvm);
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
