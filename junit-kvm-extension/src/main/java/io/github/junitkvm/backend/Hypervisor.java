package io.github.junitkvm.backend;

import io.github.junitkvm.Backend;
import java.util.Optional;

/**
 * An opened hypervisor: it creates machines, and owns what it opened to do so (KVM's device file,
 * the emulator's worker processes) until it is closed. Whoever opens one closes it: in a JUnit run,
 * the extension's {@code Backends}, at the end of the run. Implementations are thread-safe.
 */
public interface Hypervisor extends AutoCloseable {
    /** @return which backend this is */
    Backend backend();

    /**
     * @return the native library that runs the guests, its version and where it was loaded from,
     *     for the test's report; empty where {@link #backend()} says it all (KVM: the kernel's)
     */
    default Optional<String> libraryDescription() {
        return Optional.empty();
    }

    /**
     * @return how this hypervisor is known to run guests otherwise than a CPU does, for
     *     {@code junitkvm.backend=auto} to prefer a faithful backend; empty for a faithful one
     */
    default Optional<String> deviation() {
        return Optional.empty();
    }

    /**
     * Creates a machine with the given RAM and one vCPU.
     *
     * @param config the RAM regions and the CPU mode the guest layer will set up
     * @return the machine; the caller owns it and must close it
     * @throws HypervisorException if the hypervisor refuses
     */
    VirtualMachine createMachine(MachineConfig config);

    /**
     * Creates a machine as {@link #createMachine} does, whose {@link VirtualMachine#reset()} works:
     * where a reset needs something kept from the machine's creation (KVM: the vCPU's state, a
     * dirty log of the RAM), only such machines pay for it.
     *
     * @param config the RAM regions and the CPU mode the guest layer will set up
     * @return the machine; the caller owns it and must close it
     * @throws HypervisorException if the hypervisor refuses
     */
    default VirtualMachine createResettableMachine(MachineConfig config) {
        return createMachine(config);
    }

    /**
     * Releases what the hypervisor opened; creating a machine after is an
     * {@link IllegalStateException}. A machine still open may stop working (the emulator's worker is
     * killed), and is still closed by its owner. Idempotent.
     */
    @Override
    void close();
}
