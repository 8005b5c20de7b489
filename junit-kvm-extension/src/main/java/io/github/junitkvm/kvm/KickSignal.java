package io.github.junitkvm.kvm;

import io.github.junitkvm.backend.HypervisorUnavailableException;

/**
 * The signal that kicks a vCPU thread out of {@code KVM_RUN}: {@code SIGPIPE}.
 *
 * <p>A signal only interrupts {@code KVM_RUN} (which then fails with {@code EINTR}) if it is
 * delivered to a handler: an ignored one is discarded, a default one would kill the JVM. No Java
 * code may run as a signal handler, so the backend installs none; it borrows one that HotSpot
 * installs already and that does nothing: HotSpot handles {@code SIGPIPE} (and {@code SIGXFSZ}) by
 * ignoring it, so that writes to closed sockets fail with an exception instead. HotSpot installs it
 * with {@code SA_RESTART}, so a kick that lands while the thread is in another system call (in an
 * exit listener, say) restarts that call; {@code KVM_RUN} itself never restarts.
 */
final class KickSignal {
    static final int SIGNAL = Posix.SIGPIPE;

    private KickSignal() {
    }

    /**
     * Checks that sending {@link #SIGNAL} to a thread of this process is harmless and interrupts a
     * system call: the signal has a handler, neither the default action nor "ignore".
     *
     * @throws HypervisorUnavailableException if it has none
     */
    static void verifyHandled() {
        long handler = Posix.signalHandler(SIGNAL);
        if (handler == Posix.SIG_DFL || handler == Posix.SIG_IGN) {
            throw new HypervisorUnavailableException("SIGPIPE has "
                    + (handler == Posix.SIG_DFL ? "its default action (terminate)" : "been set to be ignored")
                    + " in this process, so the KVM backend could not interrupt a running guest (it kicks the"
                    + " vCPU thread out of KVM_RUN with SIGPIPE, relying on the handler HotSpot installs)."
                    + " Run the tests on a HotSpot JVM without a library that changes SIGPIPE's disposition,"
                    + " or use -Djunitkvm.backend=emulator");
        }
    }

    /**
     * @param processId this process
     * @param threadId a thread of it, known to be alive
     */
    static void send(int processId, int threadId) {
        Posix.tgkill(processId, threadId, SIGNAL);
    }
}
