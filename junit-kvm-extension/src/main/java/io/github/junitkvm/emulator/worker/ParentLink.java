package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The worker's side of the conversation with its parent: replies and exits go out through one
 * buffered stream, written by the engine thread only.
 *
 * <p>Exits that need no answer stay in the buffer until something needs the parent's attention (a
 * reply, a read, the end of the run), so a guest that writes a port in a loop does not pay a pipe
 * round trip per write.
 */
final class ParentLink {
    private final DataOutputStream out;

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

    /**
     * Buffers a message that needs no answer; it goes out with the next {@link #reply}.
     *
     * @param message the message
     */
    void stream(Message message) {
        try {
            MessageCodec.write(out, message);
        } catch (IOException e) {
            parentGone(e);
        }
    }

    /** Without a parent the worker has nothing left to do; halting also abandons a running guest. */
    private static void parentGone(IOException e) {
        System.err.println("emulator worker: lost the parent (" + e + "), exiting");
        Runtime.getRuntime().halt(0);
    }
}
