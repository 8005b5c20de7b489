package io.github.junitkvm.junit;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmProvider;
import io.github.junitkvm.guest.RunSummary;

/**
 * junit-kvm's {@link KvmProvider}, registered for {@link java.util.ServiceLoader} (in
 * {@code META-INF/services} and by the module's {@code provides}): the implementation the API
 * package reaches without depending on it.
 */
public final class Provider implements KvmProvider {
    private final ExtensionCallbacks extension = new GuestExtension();

    /** Creates the provider; {@link java.util.ServiceLoader} does. */
    public Provider() {
    }

    @Override
    public ExtensionCallbacks extension() {
        return extension;
    }

    @Override
    public String describe(GuestRun run) {
        return RunSummary.of(run);
    }
}
