package io.github.junitkvm.emulator;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import io.github.junitkvm.emulator.protocol.Message.Answer;
import io.github.junitkvm.emulator.protocol.Message.Destroy;
import io.github.junitkvm.emulator.protocol.Message.Done;
import io.github.junitkvm.emulator.protocol.Message.Failed;
import io.github.junitkvm.emulator.protocol.Message.GetRegisters;
import io.github.junitkvm.emulator.protocol.Message.GetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.Message.MemoryContent;
import io.github.junitkvm.emulator.protocol.Message.MmioRead;
import io.github.junitkvm.emulator.protocol.Message.MmioWrite;
import io.github.junitkvm.emulator.protocol.Message.PortIn;
import io.github.junitkvm.emulator.protocol.Message.PortOut;
import io.github.junitkvm.emulator.protocol.Message.ReadMemory;
import io.github.junitkvm.emulator.protocol.Message.RegistersContent;
import io.github.junitkvm.emulator.protocol.Message.Reset;
import io.github.junitkvm.emulator.protocol.Message.Run;
import io.github.junitkvm.emulator.protocol.Message.SetRegisters;
import io.github.junitkvm.emulator.protocol.Message.SetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.Message.SpecialRegistersContent;
import io.github.junitkvm.emulator.protocol.Message.Stop;
import io.github.junitkvm.emulator.protocol.Message.Stopped;
import io.github.junitkvm.emulator.protocol.Message.WriteMemory;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A machine of the EMULATOR backend, as the test JVM sees it: every call becomes a request to the
 * worker it leased, and a run relays the worker's exits to the listener as they arrive.
 *
 * <p>Calls other than {@link #requestStop()} and {@link #close()} hold {@link #operation}, so that
 * one conversation with the worker is in progress at a time. {@code requestStop} only writes a
 * {@link Stop} to the worker, which the worker reads even while the guest runs. If the worker dies,
 * the call in progress fails (a run returns an {@code EMULATOR_FAULT} saying how it died) and every
 * later call but {@code close} throws {@link IllegalStateException} with the same text.
 */
final class EmulatorMachine implements VirtualMachine {
    /** A worker that has not ended a run this long after a stop request is wedged and gets killed. */
    private static final long STOP_GRACE_MILLIS = 5_000;
    /** Large transfers go in pieces, as large as a message carries. */
    private static final int TRANSFER_CHUNK = MessageCodec.MAX_BYTES;
    /** How long close waits for a run in another thread to end before killing the worker. */
    private static final long CLOSE_GRACE_MILLIS = 10_000;

    private final WorkerProcess worker;
    private final WorkerPool pool;
    private final ReentrantLock operation = new ReentrantLock();
    /** Orders run starts and stop requests: a Stop is only ever sent for a run already requested. */
    private final Object runs = new Object();
    private int lastRunId;
    private int activeRunId;
    private volatile boolean awaitingWorker;
    private volatile boolean closed;
    private volatile String deathNotice;
    private boolean released;
    /** Written and read under {@link #operation}. */
    private InstructionTrace lastTrace = InstructionTrace.empty();

    /**
     * @param worker a worker that hosts this machine's engine
     * @param pool where the worker goes back on close
     */
    EmulatorMachine(WorkerProcess worker, WorkerPool pool) {
        this.worker = worker;
        this.pool = pool;
    }

    @Override
    public byte[] readMemory(long address, int length) {
        if (length <= TRANSFER_CHUNK) {
            return call(new ReadMemory(address, length), MemoryContent.class).data();
        }
        byte[] data = new byte[length];
        for (int done = 0; done < length; done += TRANSFER_CHUNK) {
            int size = Math.min(TRANSFER_CHUNK, length - done);
            byte[] chunk = call(new ReadMemory(address + done, size), MemoryContent.class).data();
            System.arraycopy(chunk, 0, data, done, size);
        }
        return data;
    }

    @Override
    public void writeMemory(long address, byte[] data) {
        if (data.length <= TRANSFER_CHUNK) {
            call(new WriteMemory(address, data), Done.class);
            return;
        }
        for (int done = 0; done < data.length; done += TRANSFER_CHUNK) {
            int end = Math.min(data.length, done + TRANSFER_CHUNK);
            call(new WriteMemory(address + done, Arrays.copyOfRange(data, done, end)), Done.class);
        }
    }

    @Override
    public GeneralRegisters registers() {
        return call(new GetRegisters(), RegistersContent.class).registers();
    }

    @Override
    public void setRegisters(GeneralRegisters registers) {
        call(new SetRegisters(registers), Done.class);
    }

    @Override
    public SpecialRegisters specialRegisters() {
        return call(new GetSpecialRegisters(), SpecialRegistersContent.class).registers();
    }

    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        call(new SetSpecialRegisters(registers), Done.class);
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
        operation.lock();
        try {
            pool.engineOpened(worker);
            call(new Reset(), Done.class);
            lastTrace = InstructionTrace.empty();
        } finally {
            operation.unlock();
        }
    }

    @Override
    public StopCause run(Set<Integer> stopPorts, ExitListener listener) {
        operation.lock();
        try {
            ensureUsable();
            lastTrace = InstructionTrace.empty();
            int runId;
            synchronized (runs) {
                runId = ++lastRunId;
                worker.send(new Run(runId, stopPorts));
                activeRunId = runId;
            }
            try {
                return relay(runId, listener);
            } finally {
                synchronized (runs) {
                    activeRunId = 0;
                }
            }
        } catch (WorkerDiedException e) {
            deathNotice = e.getMessage();
            return StopCause.fault(StopCause.Kind.EMULATOR_FAULT, -1, e.getMessage());
        } finally {
            try {
                if (closed) {
                    release();
                }
            } finally {
                operation.unlock();
            }
        }
    }

    /** Passes the run's exits to the listener until the worker says the run stopped. */
    private StopCause relay(int runId, ExitListener listener) {
        while (true) {
            awaitingWorker = true;
            Message message = worker.receive();
            awaitingWorker = false;
            if (message instanceof Stopped stopped) {
                lastTrace = stopped.trace();
                return stopped.cause();
            }
            if (message instanceof Failed failed) {
                throw new HypervisorException(failed.message());
            }
            try {
                deliver(message, listener);
            } catch (WorkerDiedException e) {
                throw e;
            } catch (RuntimeException | Error failure) {
                abandon(runId, message);
                throw failure;
            }
        }
    }

    private void deliver(Message message, ExitListener listener) {
        if (message instanceof PortOut out) {
            listener.portOut(out.port(), out.size(), out.value());
        } else if (message instanceof PortIn in) {
            worker.send(new Answer(listener.portIn(in.port(), in.size())));
        } else if (message instanceof MmioWrite write) {
            listener.mmioWrite(write.address(), write.size(), write.value());
        } else if (message instanceof MmioRead read) {
            worker.send(new Answer(listener.mmioRead(read.address(), read.size())));
        } else {
            throw unexpected(message);
        }
    }

    /**
     * The listener failed: stop the run and drain it, so that the worker is ready for the next
     * request; reads still waiting get 0. A worker that dies meanwhile is marked dead.
     */
    private void abandon(int runId, Message pending) {
        if (deathNotice != null) {
            return;
        }
        try {
            worker.send(new Stop(runId));
            Message message = pending;
            while (!(message instanceof Stopped)) {
                if (message instanceof PortIn || message instanceof MmioRead) {
                    worker.send(new Answer(0));
                }
                message = worker.receive();
            }
        } catch (WorkerDiedException e) {
            deathNotice = e.getMessage();
        }
    }

    /** {@inheritDoc} The trace travels with the worker's {@link Stopped}; a worker that dies takes it along. */
    @Override
    public InstructionTrace lastRunTrace() {
        operation.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this emulator machine is closed");
            }
            return lastTrace;
        } finally {
            operation.unlock();
        }
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

    private void killIfStillRunning(int runId) {
        synchronized (runs) {
            // Only a worker that keeps the run thread waiting is wedged; a slow listener is not its fault.
            if (activeRunId == runId && awaitingWorker) {
                worker.kill("its run did not stop within " + STOP_GRACE_MILLIS / 1000 + " s of a stop request");
            }
        }
    }

    @Override
    public void close() {
        synchronized (runs) {
            if (closed) {
                return;
            }
            closed = true;
        }
        requestStop();
        if (operation.isHeldByCurrentThread()) {
            return; // called from the listener of a run: the run releases the worker as it returns
        }
        boolean locked = false;
        try {
            locked = operation.tryLock(CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            worker.kill("its machine was closed while a run did not stop");
            operation.lock();
        }
        try {
            release();
        } finally {
            operation.unlock();
        }
    }

    /** Hands the worker back to the pool without its engine, or drops it if it is dead. */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        if (deathNotice != null) {
            pool.discard(worker);
            return;
        }
        try {
            worker.send(new Destroy());
            Message reply = worker.receive();
            if (reply instanceof Done) {
                pool.giveBack(worker);
                return;
            }
        } catch (WorkerDiedException e) {
            deathNotice = e.getMessage();
        }
        pool.discard(worker);
    }

    /** @return the pid of the worker serving this machine */
    long workerPid() {
        return worker.pid();
    }

    private <T extends Message> T call(Message request, Class<T> replyType) {
        operation.lock();
        try {
            ensureUsable();
            worker.send(request);
            Message reply = worker.receive();
            if (replyType.isInstance(reply)) {
                return replyType.cast(reply);
            }
            if (reply instanceof Failed failed) {
                throw new HypervisorException(failed.message());
            }
            throw unexpected(reply);
        } catch (WorkerDiedException e) {
            deathNotice = e.getMessage();
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            operation.unlock();
        }
    }

    private void ensureUsable() {
        if (deathNotice != null) {
            throw new IllegalStateException(deathNotice);
        }
        if (closed) {
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
