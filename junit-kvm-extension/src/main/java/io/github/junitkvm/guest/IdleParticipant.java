package io.github.junitkvm.guest;

/**
 * Something that may end the guest's idleness: told when the guest halts with interrupts enabled
 * and no {@link InterruptController} requests one, so that a model of time can move its virtual
 * clock on to its next deadline and raise what falls due there, as the halted CPU would have seen
 * it happen. If afterwards some controller requests an interrupt, the guest wakes and the run goes
 * on; otherwise the run ends on the {@code HLT}, as a halt no one will ever end.
 */
@FunctionalInterface
public interface IdleParticipant {
    /**
     * The guest is idle: halted with RFLAGS.IF set, nothing requested. Called on the run's thread
     * between two runs of the machine, while the guest waits after its {@code HLT}; the VM's
     * memory and registers may be used.
     */
    void guestIdle();
}
