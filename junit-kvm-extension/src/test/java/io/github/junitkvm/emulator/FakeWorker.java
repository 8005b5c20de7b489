package io.github.junitkvm.emulator;

import io.github.junitkvm.emulator.protocol.Message.Unavailable;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.DataOutputStream;
import java.io.IOException;

/** A worker stand-in that cannot load Unicorn: says so, as a real worker would, and exits. */
public final class FakeWorker {
    private FakeWorker() {
    }

    /** @param args the reason to give */
    public static void main(String[] args) throws IOException {
        DataOutputStream out = new DataOutputStream(System.out);
        MessageCodec.write(out, new Unavailable(args[0]));
        out.flush();
        System.exit(1);
    }
}
