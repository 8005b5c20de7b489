package io.github.junitkvm;

import java.util.List;
import java.util.ServiceLoader;

/**
 * The one {@link KvmProvider} of junit-kvm, loaded once, when this package first needs its
 * implementation. Looked up through the class loader of this package, the one that loaded the
 * implementation beside it, whatever the thread's context class loader is.
 */
final class LoadedProvider {
    static final KvmProvider INSTANCE = load();

    private LoadedProvider() {
    }

    private static KvmProvider load() {
        List<KvmProvider> found = ServiceLoader.load(KvmProvider.class, KvmProvider.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).toList();
        if (found.size() != 1) {
            throw new IllegalStateException(String.format("junit-kvm needs exactly one %s, its implementation,"
                    + " but found %d: %s; put exactly one junit-kvm-extension jar on the class or module path",
                    KvmProvider.class.getName(), found.size(), found));
        }
        return found.get(0);
    }
}
