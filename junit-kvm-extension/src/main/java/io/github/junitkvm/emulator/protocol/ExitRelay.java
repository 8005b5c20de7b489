package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.backend.ExitListener;

/** Makes, in the worker, the listener that carries one vCPU's exits of a run to the parent's listener. */
@FunctionalInterface
public interface ExitRelay {
    /**
     * @param vcpu the vCPU's index
     * @param interest what the parent's listener asks to see at the access
     * @return the listener the worker's run calls
     */
    ExitListener relay(int vcpu, ExitInterest interest);
}
