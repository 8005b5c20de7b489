package io.github.junitkvm.testsupport;

import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.junit.Backends;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the {@link Hypervisor} that {@code junitkvm.backend} (and {@code junitkvm.unicorn}) selects, exactly as {@code KvmExtension}
 * would, into tests that create many machines themselves (fuzzing, leak and lifecycle tests) instead
 * of one per {@code @KvmGuest}. The run's {@link Backends} own it, as they own the extension's.
 */
public final class SelectedHypervisor implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Hypervisor.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return Backends.of(context).select(context);
    }
}
