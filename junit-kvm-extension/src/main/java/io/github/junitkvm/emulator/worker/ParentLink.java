package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.MmioRead;
import io.github.junitkvm.emulator.protocol.Message.MmioWrite;
import io.github.junitkvm.emulator.protocol.Message.PortIn;
import io.github.junitkvm.emulator.protocol.Message.PortOut;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The worker's side of the conversation with its parent: replies and exits go out through one
 * buffered stream, written by the engine thread only; answers to {@code IN} and MMIO reads come
 * back through {@link #answer}, called by the thread that reads stdin.
 *
 * <p>Exits that need no answer stay in the buffer until something needs the parent's attention (a
 * reply, a read, the end of the run), so a guest that writes a port in a loop does not pay a pipe
 * round trip per write.
 */
final class ParentLink implements ExitChannel {
    private final DataOutputStream out;
    private final BlockingQueue<Long> answers = new LinkedBlockingQueue<>();

    /** @param out the worker's protocol stream (its real stdout) */
    ParentLink(OutputStream out) {
        this.out = new DataOutputStream(out);
    }

    /**
     * Sends a message and makes sure it and everything before it reach the parent.
     *
     * @param message the reply
     */
    void reply(Message message) {
        stream(message);
        try {
            out.flush();
        } catch (IOException e) {
            parentGone(e);
        }
    }

    /** @param value the value the parent supplied for the pending read */
    void answer(long value) {
        answers.add(value);
    }

    @Override
    public void portOut(int port, int size, long value) {
        stream(new PortOut(port, size, value));
    }

    @Override
    public long portIn(int port, int size) {
        reply(new PortIn(port, size));
        return awaitAnswer();
    }

    @Override
    public void mmioWrite(long address, int size, long value) {
        stream(new MmioWrite(address, size, value));
    }

    @Override
    public long mmioRead(long address, int size) {
        reply(new MmioRead(address, size));
        return awaitAnswer();
    }

    private void stream(Message message) {
        try {
            MessageCodec.write(out, message);
        } catch (IOException e) {
            parentGone(e);
        }
    }

    private long awaitAnswer() {
        try {
            return answers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the parent's answer", e);
        }
    }

    /** Without a parent the worker has nothing left to do; halting also abandons a running guest. */
    private static void parentGone(IOException e) {
        System.err.println("emulator worker: lost the parent (" + e + "), exiting");
        Runtime.getRuntime().halt(0);
    }
}
