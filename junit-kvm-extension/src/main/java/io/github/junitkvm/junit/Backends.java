package io.github.junitkvm.junit;

import io.github.junitkvm.Backend;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.guest.BackendSelector;
import io.github.junitkvm.kvm.KvmHypervisor;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The backends tests select from: one {@link BackendSelector} per {@code junitkvm.unicorn}
 * setting, since that setting decides what opening the emulator gives; the settings of one test
 * run are the same for all its tests, so a run has one selector, and what it settles (an open
 * hypervisor, or why a backend cannot be used) holds for the rest of the JVM.
 */
public final class Backends {
    private static final Map<Optional<String>, BackendSelector> SELECTORS = new ConcurrentHashMap<>();

    private Backends() {
    }

    /**
     * @param context the test's context
     * @return the hypervisor to create the test's VM on, as {@link BackendSelector#select} gives it
     *     for the context's {@code junitkvm.backend} setting
     */
    public static Hypervisor select(ExtensionContext context) {
        return selector(context).select(context.getConfigurationParameter(BackendSelector.PARAMETER));
    }

    /**
     * @param context the test's context
     * @return why no backend can run the test's guest, as {@link BackendSelector#whyNoBackend} says
     *     for the context's {@code junitkvm.backend} setting
     */
    public static Optional<String> whyNoBackend(ExtensionContext context) {
        return selector(context).whyNoBackend(context.getConfigurationParameter(BackendSelector.PARAMETER));
    }

    private static BackendSelector selector(ExtensionContext context) {
        Optional<String> unicorn = context.getConfigurationParameter(EmulatorHypervisor.UNICORN_PARAMETER);
        return SELECTORS.computeIfAbsent(unicorn, setting -> new BackendSelector(Map.of(
                Backend.KVM, KvmHypervisor::open,
                Backend.EMULATOR, () -> EmulatorHypervisor.open(setting))));
    }
}
