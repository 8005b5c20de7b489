package io.github.junitkvm.guest;

import io.github.junitkvm.backend.VirtualMachine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A vCPU's {@code INTR} pin (each vCPU has its own): the wired OR of the VM's {@link InterruptController}s, which it
 * keeps on the machine's line ({@link VirtualMachine#setInterruptRequest}), and the one answer to
 * the acknowledge cycle; the bootstrap processor's is also where the {@link IdleParticipant}s wait
 * for the guest to halt.
 *
 * <p>Controllers are asked in the order they were attached: the first that requests answers the
 * acknowledge cycle, as the one controller wired closest to the CPU would. Thread-safe: controllers
 * change their output from any thread, also while the guest runs.
 */
public final class InterruptPin {
    private final VirtualMachine machine;
    private final int vcpu;
    private final List<InterruptController> controllers = new CopyOnWriteArrayList<>();
    private final List<IdleParticipant> idleParticipants = new CopyOnWriteArrayList<>();
    /** The level last set on the machine, so that an unchanged output costs no call. */
    private boolean level;

    /**
     * @param machine the machine whose vCPU's {@code INTR} line this pin drives
     * @param vcpu the vCPU's index
     */
    InterruptPin(VirtualMachine machine, int vcpu) {
        this.machine = machine;
        this.vcpu = vcpu;
    }

    /**
     * Wires a controller's output to the pin.
     *
     * @param controller the controller, asked after those attached before it
     */
    public void attach(InterruptController controller) {
        controllers.add(controller);
        outputChanged();
    }

    /**
     * @param participant told when every vCPU has halted and nothing is requested for those that
     *     would take it, after those registered before it
     */
    public void whenIdle(IdleParticipant participant) {
        idleParticipants.add(participant);
    }

    /**
     * A controller's output may have changed: the pin sets the machine's line to the OR of all
     * outputs. Callable from any thread, but not under a lock that a controller's
     * {@link InterruptController#requesting()} takes.
     */
    public synchronized void outputChanged() {
        boolean requested = requested();
        if (requested != level) {
            level = requested;
            machine.setInterruptRequest(vcpu, requested);
        }
    }

    /** @return whether some controller requests an interrupt */
    public boolean requested() {
        for (InterruptController controller : controllers) {
            if (controller.requesting()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The acknowledge cycle, as the backend runs it.
     *
     * @return the vector of the first requesting controller; -1 if none requests any more
     */
    int acknowledge() {
        try {
            for (InterruptController controller : controllers) {
                if (controller.requesting()) {
                    int vector = controller.acknowledge();
                    if (vector >= 0) {
                        return vector;
                    }
                }
            }
            return -1;
        } finally {
            outputChanged();
        }
    }

    /** @return the idle participants, in the order they registered */
    List<IdleParticipant> idleParticipants() {
        return idleParticipants;
    }
}
