package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.backend.MachineConfig;

/**
 * One message between the test JVM (the parent) and an emulator worker: the envelopes that carry
 * {@link MachineCall}s one way and {@link ExitCall}s the other, and the few messages about the
 * worker itself.
 */
public sealed interface Message {

    // ---- parent to worker ----

    /**
     * Creates the worker's machine. Reply: {@link Reply} of null, or {@link Failed}.
     *
     * @param config the RAM, CPU mode and trace length
     */
    record Create(MachineConfig config) implements Message {
    }

    /** Discards the worker's machine, if any. Reply: {@link Reply} of null. */
    record Destroy() implements Message {
    }

    /**
     * Calls the worker's machine. Reply: {@link Reply} of the call's result, or {@link Failed}; a
     * {@link MachineCall.Run} sends its exits first.
     *
     * @param call the call
     */
    record Request(MachineCall<?> call) implements Message {
    }

    /**
     * Stops the run with this id if it is still going; ignored otherwise. No reply. The worker
     * reads it even while the guest runs.
     *
     * @param runId the run to stop
     */
    record Stop(int runId) implements Message {
    }

    /**
     * Sets the level of the vCPU's {@code INTR} line ({@link io.github.junitkvm.backend.VirtualMachine#setInterruptRequest}).
     * No reply. The worker reads it even while the guest runs, which then takes the interrupt without
     * ending; a {@link MachineCall} could not, as the engine thread is inside the run.
     *
     * @param asserted the line's new level
     */
    record InterruptRequest(boolean asserted) implements Message {
    }

    /**
     * Raises an NMI ({@link io.github.junitkvm.backend.VirtualMachine#raiseNmi}). No reply; read even
     * while the guest runs, as {@link InterruptRequest}.
     */
    record Nmi() implements Message {
    }

    // ---- worker to parent ----

    /**
     * The worker's first message: Unicorn loaded.
     *
     * @param unicornVersion the library's version, for example {@code 2.0.1}
     */
    record Ready(String unicornVersion) implements Message {
    }

    /**
     * The worker's first and last message: Unicorn could not be loaded.
     *
     * @param reason the loader's error
     */
    record Unavailable(String reason) implements Message {
    }

    /**
     * An exit of the run in progress.
     *
     * @param call what the guest did, as a call of the parent's listener
     * @param awaitsReply whether the guest waits at the access for the parent's {@link Reply} (of
     *     the call's result); until it comes, the worker serves the parent's {@link Request}s, but a
     *     run or a reset, on the machine as it stands at the exit. A streamed exit gets no reply.
     */
    record Exit(ExitCall<?> call, boolean awaitsReply) implements Message {
    }

    // ---- both ways ----

    /**
     * The result of a call.
     *
     * @param value what the call returned; null for a void call
     */
    record Reply(Object value) implements Message {
    }

    /**
     * The call failed; the machine is still usable.
     *
     * @param message what failed and why
     */
    record Failed(String message) implements Message {
    }
}
