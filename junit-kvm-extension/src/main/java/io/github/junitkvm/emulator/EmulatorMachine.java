package io.github.junitkvm.emulator;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.GuardedMachine;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.emulator.protocol.ExitInterest;
import io.github.junitkvm.emulator.protocol.MachineCall;
import io.github.junitkvm.emulator.protocol.MachineCall.GetRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.GetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.LastRunTrace;
import io.github.junitkvm.emulator.protocol.MachineCall.ReadMemory;
import io.github.junitkvm.emulator.protocol.MachineCall.Reset;
import io.github.junitkvm.emulator.protocol.MachineCall.Run;
import io.github.junitkvm.emulator.protocol.MachineCall.SetRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.SetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.WriteMemory;
import io.github.junitkvm.emulator.protocol.MachineState;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Destroy;
import io.github.junitkvm.emulator.protocol.Message.Exit;
import io.github.junitkvm.emulator.protocol.Message.Failed;
import io.github.junitkvm.emulator.protocol.Message.InterruptRequest;
import io.github.junitkvm.emulator.protocol.Message.Nmi;
import io.github.junitkvm.emulator.protocol.Message.Post;
import io.github.junitkvm.emulator.protocol.Message.Reply;
import io.github.junitkvm.emulator.protocol.Message.ReplyWithState;
import io.github.junitkvm.emulator.protocol.Message.Request;
import io.github.junitkvm.emulator.protocol.Message.Stop;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * A machine of the EMULATOR backend, as the test JVM sees it: every call becomes a request to the
 * worker it leased, and a run relays the worker's exits to the listener as they arrive.
 *
 * <p>Called by one thread at a time and closed between calls, as {@link GuardedMachine} ensures for
 * the machines {@link EmulatorHypervisor} hands out, so one conversation with the worker is in
 * progress at a time. {@code requestStop} only writes a {@link Stop} to the worker, which the
 * worker reads even while the guest runs, and so do {@code setInterruptRequest} and
 * {@code raiseNmi} with theirs. If the worker dies,
 * the call in progress fails (a run returns an {@code EMULATOR_FAULT} saying how it died) and every
 * later call but {@code close} throws {@link IllegalStateException} with the same text.
 */
final class EmulatorMachine implements VirtualMachine {
    /** A worker that has not ended a run this long after a stop request is wedged and gets killed. */
    private static final long STOP_GRACE_MILLIS = 5_000;
    /** Large transfers go in pieces, as large as a message carries. */
    private static final int TRANSFER_CHUNK = MessageCodec.MAX_BYTES;
    /**
     * How long a call waits for the worker's reply; a worker that takes longer (stopped, wedged) is
     * killed, and the call fails saying so, rather than hang the test.
     */
    private static final long REPLY_MILLIS = 30_000;

    private final WorkerProcess worker;
    private final WorkerPool pool;
    /** Orders run starts and stop requests: a Stop is only ever sent for a run already requested. */
    private final Object runs = new Object();
    private int lastRunId;
    private int activeRunId;
    private volatile boolean awaitingWorker;
    /** Whether a run is in progress on this thread: a handler's calls then wait for their replies. */
    private volatile boolean running;
    /** The registers as the worker last reported them, while no call may have changed them; or null. */
    private MachineState known;
    private volatile String deathNotice;
    private boolean released;
    /** How many vCPUs the machine has, so that an interrupt input for none is refused here, not lost in the worker. */
    private final int vcpus;

    /**
     * @param worker a worker that hosts this machine's engine
     * @param pool where the worker goes back on close
     * @param state the new machine's registers, as the worker reported them
     * @param vcpus how many vCPUs the machine has
     */
    EmulatorMachine(WorkerProcess worker, WorkerPool pool, MachineState state, int vcpus) {
        this.worker = worker;
        this.pool = pool;
        this.known = state;
        this.vcpus = vcpus;
    }

    @Override
    public byte[] readMemory(long address, int length) {
        if (length <= TRANSFER_CHUNK) {
            return call(new ReadMemory(address, length));
        }
        byte[] data = new byte[length];
        for (int done = 0; done < length; done += TRANSFER_CHUNK) {
            int size = Math.min(TRANSFER_CHUNK, length - done);
            System.arraycopy(call(new ReadMemory(address + done, size)), 0, data, done, size);
        }
        return data;
    }

    @Override
    public void writeMemory(long address, byte[] data) {
        for (int done = 0; done == 0 || done < data.length; done += TRANSFER_CHUNK) {
            int end = Math.min(data.length, done + TRANSFER_CHUNK);
            call(new WriteMemory(address + done, done == 0 && end == data.length ? data
                    : Arrays.copyOfRange(data, done, end)));
        }
    }

    @Override
    public GeneralRegisters registers(int vcpu) {
        return call(new GetRegisters(vcpu));
    }

    @Override
    public void setRegisters(int vcpu, GeneralRegisters registers) {
        call(new SetRegisters(vcpu, registers));
    }

    @Override
    public SpecialRegisters specialRegisters(int vcpu) {
        return call(new GetSpecialRegisters(vcpu));
    }

    @Override
    public void setSpecialRegisters(int vcpu, SpecialRegisters registers) {
        call(new SetSpecialRegisters(vcpu, registers));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The worker replaces its Unicorn engine by a new one with the same configuration; the
     * worker process, its warm JIT and the pipe stay. The new engine counts toward the worker's
     * {@link WorkerPool#MACHINES_PER_WORKER}.
     */
    @Override
    public void reset() {
        ensureUsable();
        pool.engineOpened(worker);
        call(new Reset());
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<StopCause> runAll(Set<Integer> stopPorts, List<ExitListener> listeners) {
        ensureUsable();
        known = null;
        running = true;
        try {
            int runId;
            Run run;
            synchronized (runs) {
                runId = ++lastRunId;
                run = new Run(runId, stopPorts, listeners.stream().map(ExitInterest::of).toList());
                worker.send(new Request(run));
                activeRunId = runId;
            }
            try {
                return (List<StopCause>) awaitReply(run, listeners, runId);
            } finally {
                synchronized (runs) {
                    activeRunId = 0;
                }
            }
        } catch (WorkerDiedException e) {
            deathNotice = e.getMessage();
            return Collections.nCopies(listeners.size(), StopCause.fault(StopCause.Kind.EMULATOR_FAULT, -1, e.getMessage()));
        } finally {
            running = false;
        }
    }

    /**
     * Waits for the reply to a call. During a run, the run's exits come first: each goes to the
     * listener, whose calls of this machine (a handler at the exit) the worker serves while it waits
     * for the exit's reply. A call outside a run gets its reply within {@link #REPLY_MILLIS}, or the
     * worker is killed.
     *
     * @param listeners the run's listeners, one per vCPU; null for a call that is not a run
     */
    private Object awaitReply(MachineCall<?> call, List<ExitListener> listeners, int runId) {
        while (true) {
            Message message;
            if (listeners == null) {
                message = worker.receiveWithin(REPLY_MILLIS, call);
            } else {
                awaitingWorker = true;
                message = worker.receive();
                awaitingWorker = false;
            }
            if (message instanceof Reply reply) {
                return reply.value();
            }
            if (message instanceof ReplyWithState reply) {
                known = reply.state();
                return reply.value();
            }
            if (message instanceof Failed failed) {
                throw new HypervisorException(failed.message());
            }
            if (listeners == null || !(message instanceof Exit exit) || exit.vcpu() < 0
                    || exit.vcpu() >= listeners.size()) {
                throw unexpected(message);
            }
            deliver(exit, listeners.get(exit.vcpu()), runId);
        }
    }

    private void deliver(Exit exit, ExitListener listener, int runId) {
        Object result;
        try {
            result = exit.call().invoke(listener);
        } catch (WorkerDiedException e) {
            throw e;
        } catch (Throwable failure) {
            abandon(runId, exit);
            throw failure;
        }
        if (exit.awaitsReply()) {
            worker.send(new Reply(result));
        }
    }

    /**
     * The listener failed: stop the run and drain it, so that the worker is ready for the next
     * request; reads still waiting get 0. A worker that dies meanwhile is marked dead.
     */
    private void abandon(int runId, Exit pending) {
        if (deathNotice != null) {
            return;
        }
        try {
            worker.send(new Stop(runId));
            Message message = pending;
            while (!(message instanceof Reply || message instanceof ReplyWithState || message instanceof Failed)) {
                if (message instanceof Exit exit && exit.awaitsReply()) {
                    worker.send(new Reply(exit.call().fallback()));
                }
                message = worker.receive();
            }
        } catch (WorkerDiedException e) {
            deathNotice = e.getMessage();
        }
    }

    /** {@inheritDoc} A worker that died took the trace along. */
    @Override
    public InstructionTrace lastRunTrace() {
        return deathNotice != null ? InstructionTrace.empty() : call(new LastRunTrace());
    }

    @Override
    public void requestStop() {
        synchronized (runs) {
            if (activeRunId == 0) {
                return;
            }
            int runId = activeRunId;
            try {
                worker.send(new Stop(runId));
            } catch (WorkerDiedException e) {
                // The run is ending anyway, with the death as its cause.
                return;
            }
            Watchdog.after(STOP_GRACE_MILLIS, () -> killIfStillRunning(runId));
        }
    }

    /** {@inheritDoc} Writes an {@link InterruptRequest}, which the worker reads even while the guest runs. */
    @Override
    public void setInterruptRequest(int vcpu, boolean asserted) {
        signal(new InterruptRequest(MachineConfig.vcpu(vcpu, vcpus), asserted));
    }

    /** {@inheritDoc} Writes an {@link Nmi}, which the worker reads even while the guest runs. */
    @Override
    public void raiseNmi(int vcpu) {
        signal(new Nmi(MachineConfig.vcpu(vcpu, vcpus)));
    }

    /** Sends a message that needs no reply, from any thread; a worker that died has no vCPU left to tell. */
    private void signal(Message message) {
        if (deathNotice != null || released) {
            return;
        }
        try {
            worker.send(message);
        } catch (WorkerDiedException e) {
            // The call in progress, or the next one, reports the death.
        }
    }

    private void killIfStillRunning(int runId) {
        synchronized (runs) {
            // Only a worker that keeps the run thread waiting is wedged; a slow listener is not its fault.
            if (activeRunId == runId && awaitingWorker) {
                worker.kill("its run did not stop within " + STOP_GRACE_MILLIS / 1000 + " s of a stop request");
            }
        }
    }

    /** {@inheritDoc} Never called while another call is in progress. */
    @Override
    public void close() {
        release();
    }

    /** Hands the worker back to the pool without its engine, or drops it if it is dead. */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        // A run still in progress was abandoned by a listener that did not return: its worker is
        // not ready for the next machine.
        if (deathNotice != null || running) {
            pool.discard(worker);
            return;
        }
        try {
            // No reply to wait for: the next machine's Create, behind it on the pipe, finds the
            // worker ready, or dead if the engine's close killed it.
            worker.send(new Destroy());
            pool.giveBack(worker);
        } catch (WorkerDiedException e) {
            deathNotice = e.getMessage();
            pool.discard(worker);
        }
    }

    /** @return the pid of the worker serving this machine */
    long workerPid() {
        return worker.pid();
    }

    /**
     * Makes a call of the worker's machine and waits for its result. The registers the worker last
     * reported answer a read of them; a call that returns nothing is only {@linkplain Post posted},
     * unless a handler makes it during a run, so that a failure fails it and not a later call.
     */
    @SuppressWarnings("unchecked")
    private <R> R call(MachineCall<R> call) {
        ensureUsable();
        if (known != null) {
            R answer = call.answerFrom(known);
            if (answer != null) {
                return answer;
            }
        }
        if (!call.keepsRegisters()) {
            known = null;
        }
        try {
            if (call.returnsNothing() && !call.reportsState() && !running) {
                worker.post(new Post(call));
                return null;
            }
            worker.send(new Request(call));
            return (R) awaitReply(call, null, 0);
        } catch (WorkerDiedException e) {
            deathNotice = e.getMessage();
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void ensureUsable() {
        if (deathNotice != null) {
            throw new IllegalStateException(deathNotice);
        }
        if (released) {
            throw new IllegalStateException("this emulator machine is closed");
        }
    }

    /** A reply out of turn means the conversation is lost; the worker cannot be trusted any more. */
    private IllegalStateException unexpected(Message message) {
        worker.kill("it sent " + message + " out of turn");
        deathNotice = "protocol error: the emulator worker sent " + message + " out of turn";
        return new IllegalStateException(deathNotice);
    }
}
