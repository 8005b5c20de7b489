package io.github.junitkvm.backend;

import io.github.junitkvm.Backend;
import java.util.Optional;

/**
 * An opened hypervisor, shared by every VM of the JVM: it creates machines. Implementations are
 * thread-safe.
 */
public interface Hypervisor {
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
}
