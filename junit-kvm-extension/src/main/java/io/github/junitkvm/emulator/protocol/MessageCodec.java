package io.github.junitkvm.emulator.protocol;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Encodes and decodes {@link Message}s in their one {@link Wire} form. The codec does not flush:
 * the caller decides when bytes must reach the other side.
 */
public final class MessageCodec {
    /** The buffer each end writes messages into before a flush: a run's exits go out in few writes. */
    public static final int WRITE_BUFFER = 1 << 16;

    /**
     * The buffer each end reads messages through. No larger: Java's {@code FileInputStream} reads
     * into a buffer on the stack up to 8 KiB, and allocates and frees one of the size asked for on
     * every larger read.
     */
    public static final int READ_BUFFER = 8192;

    /** The most bytes one message carries in an array or string; larger transfers go in pieces. */
    public static final int MAX_BYTES = 1 << 20;

    private MessageCodec() {
    }

    /**
     * @param out the stream
     * @param message the message
     * @throws IOException if the stream fails
     */
    public static void write(DataOutput out, Message message) throws IOException {
        Wire.writeAny(out, message);
    }

    /**
     * @param in the stream
     * @return the next message
     * @throws java.io.EOFException if the stream ends
     * @throws IOException if the stream fails or is corrupt
     */
    public static Message read(DataInput in) throws IOException {
        if (Wire.readAny(in) instanceof Message message) {
            return message;
        }
        throw new IOException("corrupt protocol stream: a value where a message was expected");
    }
}
