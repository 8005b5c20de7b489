package io.github.junitkvm.guest;

import io.github.junitkvm.Backend;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.VirtualMachine;

/**
 * Where a {@link GuestVm} gets its machine and where the machine goes when the VM is closed: a new
 * machine closed after use ({@link #fresh}), or a {@link MachinePool}'s reused ones.
 */
public interface MachineSource {
    /** @return the backend of the machines */
    Backend backend();

    /**
     * @param config the machine's configuration
     * @return a machine in the state of a newly created one; the caller owns it until it hands it
     *     to {@link #release}
     */
    VirtualMachine obtain(MachineConfig config);

    /**
     * Takes back a machine from {@link #obtain}, which the caller no longer uses.
     *
     * @param machine the machine
     * @param config the configuration it was obtained with
     * @param reusable whether everything its user did ended cleanly, so that a reset brings it back
     *     to its new state; a machine that is not is closed
     */
    void release(VirtualMachine machine, MachineConfig config, boolean reusable);

    /**
     * @param hypervisor creates the machines
     * @return a source that creates a machine for every VM and closes it after
     */
    static MachineSource fresh(Hypervisor hypervisor) {
        return new MachineSource() {
            @Override
            public Backend backend() {
                return hypervisor.backend();
            }

            @Override
            public VirtualMachine obtain(MachineConfig config) {
                return hypervisor.createMachine(config);
            }

            @Override
            public void release(VirtualMachine machine, MachineConfig config, boolean reusable) {
                machine.close();
            }
        };
    }
}
