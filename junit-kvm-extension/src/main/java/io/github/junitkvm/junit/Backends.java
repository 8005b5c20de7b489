package io.github.junitkvm.junit;

import io.github.junitkvm.Backend;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.ReleaseAll;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.guest.BackendSelector;
import io.github.junitkvm.kvm.KvmHypervisor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.StoreScope;

/**
 * The backends of a test run, and their owner: every hypervisor the run's tests open (KVM's
 * {@code /dev/kvm} descriptor, the emulator's worker processes) is opened here, once, and closed
 * when JUnit closes this object at the end of the run. One {@link BackendSelector} per
 * {@code junitkvm.unicorn} setting, since that setting decides what opening the emulator gives.
 *
 * <p>It lives in the store of the JUnit launcher session ({@link StoreScope#LAUNCHER_SESSION}):
 * that is the run as Maven, Gradle or an IDE starts it, and it outlives each execution request in
 * it, so that a tool that executes several requests in one session (Surefire may execute one per
 * test class; the benchmark executes one per round) keeps its warm emulator workers. A session
 * opened only for one request (JUnit's {@code EngineTestKit}, {@code LauncherFactory.create()})
 * closes it with that request. Thread-safe.
 */
public final class Backends implements AutoCloseable {
    private static final Namespace NAMESPACE = Namespace.create(Backends.class);

    /** Guarded by {@code this}. */
    private final Map<Optional<String>, BackendSelector> selectors = new HashMap<>();
    /** Guarded by {@code this}. */
    private boolean closed;

    /**
     * @param context any extension context of the run
     * @return the run's backends, created on first use; JUnit closes them when the launcher session
     *     ends
     */
    public static Backends of(ExtensionContext context) {
        return context.getStore(StoreScope.LAUNCHER_SESSION, NAMESPACE)
                .getOrComputeIfAbsent(Backends.class, type -> new Backends(), Backends.class);
    }

    /**
     * @param context the test's context
     * @return the hypervisor to create the test's VM on, as {@link BackendSelector#select} gives it
     *     for the context's {@code junitkvm.backend} setting; owned by these backends
     */
    public Hypervisor select(ExtensionContext context) {
        return selector(context).select(context.getConfigurationParameter(BackendSelector.PARAMETER));
    }

    /**
     * @param context the test's context
     * @return why no backend can run the test's guest, as {@link BackendSelector#whyNoBackend} says
     *     for the context's {@code junitkvm.backend} setting
     */
    public Optional<String> whyNoBackend(ExtensionContext context) {
        return selector(context).whyNoBackend(context.getConfigurationParameter(BackendSelector.PARAMETER));
    }

    private synchronized BackendSelector selector(ExtensionContext context) {
        if (closed) {
            throw new IllegalStateException("the backends are closed: their test run is over");
        }
        Optional<String> unicorn = context.getConfigurationParameter(EmulatorHypervisor.UNICORN_PARAMETER);
        return selectors.computeIfAbsent(unicorn, setting -> new BackendSelector(Map.of(
                Backend.KVM, KvmHypervisor::open,
                Backend.EMULATOR, () -> EmulatorHypervisor.open(setting))));
    }

    /**
     * Closes every hypervisor opened for the run: the emulator's workers exit, KVM's device is
     * closed. Idempotent.
     */
    @Override
    public void close() {
        List<BackendSelector> opened;
        synchronized (this) {
            closed = true;
            opened = List.copyOf(selectors.values());
            selectors.clear();
        }
        ReleaseAll.run(opened.stream().<Runnable>map(selector -> selector::close).toList());
    }
}
