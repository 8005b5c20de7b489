package io.github.junitkvm.emulator;

import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A worker stand-in that says hello, then runs out of heap on its first request. */
public final class OutOfMemoryWorker {
    private OutOfMemoryWorker() {
    }

    /** @param args none */
    public static void main(String[] args) throws IOException {
        DataOutputStream out = new DataOutputStream(System.out);
        MessageCodec.write(out, new Ready("2.0.1"));
        out.flush();
        MessageCodec.read(new DataInputStream(System.in));
        List<long[]> hoard = new ArrayList<>();
        while (true) {
            hoard.add(new long[1 << 20]);
        }
    }
}
