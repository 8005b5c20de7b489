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
     * Creates the worker's machine. Reply: {@link ReplyWithState} of null, or {@link Failed}.
     *
     * @param config the RAM, CPU mode and trace length
     */
    record Create(MachineConfig config) implements Message {
    }

    /**
     * Discards the worker's machine, if any, and forgets a {@link Post} that failed. No reply: the
     * parent hands the worker to the next machine at once, whose {@link Create} comes after it.
     */
    record Destroy() implements Message {
    }

    /**
     * Calls the worker's machine. Reply: {@link Reply} of the call's result (a
     * {@link ReplyWithState} where the call {@linkplain MachineCall#reportsState reports the
     * state}), or {@link Failed}; a {@link MachineCall.Run} sends its exits first.
     *
     * @param call the call
     */
    record Request(MachineCall<?> call) implements Message {
    }

    /**
     * Calls the worker's machine with a call that {@linkplain MachineCall#returnsNothing returns
     * nothing}, and no reply: the parent sends the next message without waiting, so that a series
     * of such calls and the request after them cost one round trip. If it fails, the worker serves
     * none of the calls after it, up to the next {@link Request}, and answers that one with the
     * failure's {@link Failed}. Never sent while the guest waits at an exit, where a handler's call
     * fails at the call.
     *
     * @param call the call
     */
    record Post(MachineCall<?> call) implements Message {
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
     * Sets the level of a vCPU's {@code INTR} line ({@link io.github.junitkvm.backend.VirtualMachine#setInterruptRequest}).
     * No reply. The worker reads it even while the guest runs, which then takes the interrupt without
     * ending; a {@link MachineCall} could not, as the engine thread is inside the run.
     *
     * @param vcpu the vCPU, one the machine has
     * @param asserted the line's new level
     */
    record InterruptRequest(int vcpu, boolean asserted) implements Message {
    }

    /**
     * Raises an NMI ({@link io.github.junitkvm.backend.VirtualMachine#raiseNmi}). No reply; read even
     * while the guest runs, as {@link InterruptRequest}.
     *
     * @param vcpu the vCPU, one the machine has
     */
    record Nmi(int vcpu) implements Message {
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
     * @param vcpu the vCPU that made it, whose listener it goes to
     * @param call what the guest did, as a call of the parent's listener
     * @param awaitsReply whether the guest waits at the access for the parent's {@link Reply} (of
     *     the call's result); until it comes, the worker serves the parent's {@link Request}s, but a
     *     run or a reset, on the machine as it stands at the exit. A streamed exit gets no reply.
     */
    record Exit(int vcpu, ExitCall<?> call, boolean awaitsReply) implements Message {
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
     * The result of a call, and the machine's registers after it.
     *
     * @param value what the call returned; null for a void call
     * @param state the registers
     */
    record ReplyWithState(Object value, MachineState state) implements Message {
    }

    /**
     * The call failed; the machine is still usable.
     *
     * @param message what failed and why
     */
    record Failed(String message) implements Message {
    }
}
