package io.github.junitkvm.backend;

import io.github.junitkvm.Backend;

/**
 * An opened hypervisor, shared by every VM of the JVM: it creates machines. Implementations are
 * thread-safe.
 */
public interface Hypervisor {
    /** @return which backend this is */
    Backend backend();

    /**
     * Creates a machine with the given RAM and one vCPU.
     *
     * @param config the RAM regions and the CPU mode the guest layer will set up
     * @return the machine; the caller owns it and must close it
     * @throws HypervisorException if the hypervisor refuses
     */
    VirtualMachine createMachine(MachineConfig config);
}
