package io.github.junitkvm.guest;

import java.lang.management.ManagementFactory;

/**
 * The host's physical memory, the most RAM a guest may have: a guest may touch all of its RAM, and
 * what the host cannot back with memory it cannot give, whatever a sparse mapping promises.
 */
final class HostMemory {
    private static final long TOTAL = measure();

    private HostMemory() {
    }

    /**
     * @return the bytes of physical memory the JVM sees (its container's limit inside one), or
     *     {@link Long#MAX_VALUE} on a JVM that does not say
     */
    static long total() {
        return TOTAL;
    }

    private static long measure() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                && os.getTotalMemorySize() > 0) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }
}
