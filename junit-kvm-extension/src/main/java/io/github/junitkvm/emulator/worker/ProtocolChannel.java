package io.github.junitkvm.emulator.worker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The pipe the parent reads as the worker's stdout, moved to a file descriptor of its own. Once it
 * is claimed, descriptor 1 points at stderr, so that nothing else written to stdout can corrupt the
 * protocol: not {@code System.out}, not a native library's {@code printf}, and not the JVM's
 * fatal-error banner, which the JVM writes to descriptor 1 whatever
 * {@code -XX:+DisplayVMOutputToStderr} says. The parent then finds such output among the worker's
 * last words on stderr.
 */
final class ProtocolChannel extends OutputStream {
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int EINTR = 4;

    private final int fd;

    private ProtocolChannel(int fd) {
        this.fd = fd;
    }

    /**
     * Claims stdout for the protocol; call it once, before anything is written to stdout.
     *
     * @return the protocol's channel to the parent
     * @throws LastErrorException if the descriptors cannot be moved
     * @throws LinkageError if the C library cannot be reached through JNA
     */
    static ProtocolChannel claimStdout() {
        int protocol = C.dup(STDOUT);
        C.dup2(STDERR, STDOUT);
        return new ProtocolChannel(protocol);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        byte[] rest = offset == 0 ? bytes : Arrays.copyOfRange(bytes, offset, offset + length);
        int remaining = length;
        while (remaining > 0) {
            try {
                int written = (int) C.write(fd, rest, remaining);
                remaining -= written;
                if (remaining > 0) {
                    rest = Arrays.copyOfRange(rest, written, written + remaining);
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw new IOException("cannot write to the parent: " + e.getMessage(), e);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            C.close(fd);
        } catch (LastErrorException e) {
            throw new IOException("cannot close the channel to the parent: " + e.getMessage(), e);
        }
    }

    /**
     * The C library calls the channel needs, mapped directly (a protocol reply costs one
     * {@code write}); each throws {@link LastErrorException} on failure.
     */
    private static final class C {
        static {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        private C() {
        }

        static native int dup(int fd) throws LastErrorException;

        static native int dup2(int from, int to) throws LastErrorException;

        static native long write(int fd, byte[] buffer, long count) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;
    }
}
