package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.emulator.protocol.MachineCall.Run;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.InterruptRequest;
import io.github.junitkvm.emulator.protocol.Message.Nmi;
import io.github.junitkvm.emulator.protocol.Message.Request;
import io.github.junitkvm.emulator.protocol.Message.Stop;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * The parent's messages, as the engine thread takes them: between runs it reads them from the pipe
 * itself, so that a call costs the worker one thread wake-up, not a hand-over from a reader thread
 * too. While a run goes on, the engine thread is in Unicorn and cannot read: the run reader thread
 * reads then, handles stops and interrupt inputs at once, and queues the rest (answers to exits, a
 * handler's calls); the first message after the run goes to the engine thread with the pipe back.
 *
 * <p>Stops and interrupt inputs are applied in stream order: the run they name is armed before anyone reads past its
 * request. End of the pipe means the parent is gone, and the worker halts, abandoning whatever the
 * guest was doing.
 */
final class Inbox {
    /**
     * Messages the run reader queues: a handler's calls are answered one at a time, so the queue
     * stays short, and a full one stops the reader, and the pipe then the parent.
     */
    private static final int QUEUED_MESSAGES = 4;

    private final DataInputStream in;
    private final StopSwitch stopSwitch;
    private final VcpuLines lines;
    private final BlockingQueue<Parcel> queue = new LinkedBlockingQueue<>(QUEUED_MESSAGES);
    private final Semaphore runStarted = new Semaphore(0);
    /** Written by the engine thread: whether the run reader holds the pipe. */
    private boolean readerHoldsPipe;
    /** Whether the engine has finished the message it took last: the run, while the reader reads. */
    private volatile boolean served = true;

    /**
     * @param in the parent's messages
     * @param stopSwitch where stops go
     * @param lines where the interrupt inputs go, by vCPU
     */
    Inbox(DataInputStream in, StopSwitch stopSwitch, VcpuLines lines) {
        this.in = in;
        this.stopSwitch = stopSwitch;
        this.lines = lines;
    }

    /**
     * The next message for the engine thread, stops and interrupt inputs applied on the way; the
     * engine thread only.
     *
     * @return the message
     * @throws InterruptedException if interrupted while the run reader holds the pipe
     */
    Message next() throws InterruptedException {
        if (readerHoldsPipe) {
            Parcel parcel = queue.take();
            if (!parcel.pipeBack()) {
                return parcel.message();
            }
            readerHoldsPipe = false;
            return taken(parcel.message());
        }
        while (true) {
            Message message = read();
            if (!appliedAtOnce(message)) {
                return taken(message);
            }
        }
    }

    /**
     * @return whether a message waits for the engine thread, or a stop or interrupt input is on
     *     its way through the pipe; the engine thread only
     */
    boolean waiting() {
        if (readerHoldsPipe) {
            return !queue.isEmpty();
        }
        try {
            return in.available() > 0;
        } catch (IOException e) {
            // The next read reports the failure.
            return true;
        }
    }

    /** The engine thread has served the message it took last. */
    void served() {
        served = true;
    }

    /** A run about to start arms the stop switch and gives the pipe to the run reader. */
    private Message taken(Message message) {
        served = false;
        if (message instanceof Request request && request.call() instanceof Run run) {
            stopSwitch.arm(run.runId());
            readerHoldsPipe = true;
            runStarted.release();
        }
        return message;
    }

    /** The run reader thread's work, for ever: reads the pipe while a run goes on. */
    void readDuringRuns() {
        try {
            while (true) {
                runStarted.acquire();
                boolean pipeBack = false;
                while (!pipeBack) {
                    Message message = read();
                    if (!appliedAtOnce(message)) {
                        pipeBack = served;
                        queue.put(new Parcel(message, pipeBack));
                    }
                }
            }
        } catch (InterruptedException e) {
            Runtime.getRuntime().halt(0);
        }
    }

    /** @return whether the message is a stop or an interrupt input, now applied */
    private boolean appliedAtOnce(Message message) {
        if (message instanceof Stop stop) {
            stopSwitch.request(stop.runId());
        } else if (message instanceof InterruptRequest request) {
            lines.of(request.vcpu()).setRequest(request.asserted());
        } else if (message instanceof Nmi nmi) {
            lines.of(nmi.vcpu()).raiseNmi();
        } else {
            return false;
        }
        return true;
    }

    private Message read() {
        try {
            return MessageCodec.read(in);
        } catch (EOFException e) {
            Runtime.getRuntime().halt(0);
            throw new IllegalStateException("halted", e);
        } catch (IOException | RuntimeException e) {
            System.err.println("emulator worker: cannot read the parent's requests: " + e);
            Runtime.getRuntime().halt(2);
            throw new IllegalStateException("halted", e);
        }
    }

    /**
     * A message the run reader read.
     *
     * @param message the message
     * @param pipeBack whether it came after the run: the reader has stopped reading
     */
    private record Parcel(Message message, boolean pipeBack) {
    }
}
