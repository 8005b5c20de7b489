package io.github.junitkvm.testsupport;

import io.github.junitkvm.emulator.EmulatorHypervisor;
import java.util.Arrays;

/**
 * The version of the Unicorn library the emulator loads in this test run (the
 * {@code junitkvm.unicorn} system property's choice), for tests whose emulator expectations
 * differ between Debian's libunicorn 2.0.1 and later versions such as the {@code unicorn} wheel's
 * 2.1.4. Ask only on the emulator backend: the first question starts a worker, which the answer
 * outlives.
 */
public final class LoadedUnicorn {
    private LoadedUnicorn() {
    }

    /** @return the version, for example {@code 2.0.1} */
    public static String version() {
        return Version.LOADED;
    }

    /**
     * @param major the major version
     * @param minor the minor version
     * @param patch the patch level
     * @return whether the loaded version is that one or later
     */
    public static boolean isAtLeast(int major, int minor, int patch) {
        int[] loaded = Arrays.stream(version().split("\\.")).mapToInt(Integer::parseInt).toArray();
        return Arrays.compare(loaded, new int[] {major, minor, patch}) >= 0;
    }

    /** Asks a worker once, when first needed; the library file does not change during a run. */
    private static final class Version {
        static final String LOADED = ask();

        private static String ask() {
            try (EmulatorHypervisor emulator = EmulatorHypervisor.open()) {
                return emulator.unicornVersion();
            }
        }
    }
}
