package io.github.junitkvm.testsupport;

import io.github.junitkvm.Backend;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.guest.BackendSelector;
import io.github.junitkvm.kvm.KvmHypervisor;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the {@link Hypervisor} that {@code junitkvm.backend} selects, exactly as {@code KvmExtension}
 * would, into tests that create many machines themselves (fuzzing, leak and lifecycle tests) instead
 * of one per {@code @KvmGuest}.
 */
public final class SelectedHypervisor implements ParameterResolver {
    private static final BackendSelector BACKENDS = new BackendSelector(Map.of(
            Backend.KVM, KvmHypervisor::open,
            Backend.EMULATOR, EmulatorHypervisor::open));

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Hypervisor.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return BACKENDS.select(context.getConfigurationParameter(BackendSelector.PARAMETER));
    }
}
