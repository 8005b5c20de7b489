package io.github.junitkvm.emulator.worker;

import com.sun.jna.Pointer;
import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A worker stand-in that claims its stdout as the real worker does, writes to descriptor 1 (as the
 * JVM's fatal-error banner will), says hello, and on its first request crashes its JVM in native
 * code, as Unicorn crashes the real worker on some guests.
 */
public final class CrashingWorker {
    /** What it writes to descriptor 1 after claiming stdout for the protocol. */
    public static final String NOISE = "noise written to descriptor 1";

    private CrashingWorker() {
    }

    /** @param args none */
    public static void main(String[] args) throws IOException {
        ParentLink parent = new ParentLink(ProtocolChannel.claimStdout());
        FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
        stdout.write((NOISE + "\n").getBytes(StandardCharsets.UTF_8));
        stdout.flush();
        parent.reply(new Ready("2.0.1"));
        MessageCodec.read(new DataInputStream(System.in));
        new Pointer(0).setLong(0, 0);
    }
}
