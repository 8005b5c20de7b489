package io.github.junitkvm.guest;

import java.util.function.IntPredicate;

/**
 * Something that may end the guest's idleness: told when every vCPU has halted and no
 * {@link InterruptController} requests an interrupt for one that would take it, so that a model of
 * time can move its virtual clock on to its next deadline and raise what falls due there, as the
 * halted CPUs would have seen it happen. If afterwards a controller requests an interrupt for a
 * waiting vCPU, that vCPU wakes and the run goes on; otherwise the run ends on the {@code HLT}, as
 * a halt no one will ever end.
 */
@FunctionalInterface
public interface IdleParticipant {
    /**
     * The guest is idle: every vCPU halted, nothing requested for those {@code waiting} (halted with
     * RFLAGS.IF set). Called on the run's thread between two runs of the machine; the VM's memory
     * and registers may be used.
     *
     * @param waiting the vCPUs, by index, that an interrupt would wake
     */
    void guestIdle(IntPredicate waiting);
}
