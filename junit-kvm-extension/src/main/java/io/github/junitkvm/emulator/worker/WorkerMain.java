package io.github.junitkvm.emulator.worker;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.github.junitkvm.emulator.protocol.MachineCall.Run;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.Message.Request;
import io.github.junitkvm.emulator.protocol.Message.Stop;
import io.github.junitkvm.emulator.protocol.Message.Unavailable;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The worker process's entry point. It claims stdout for the protocol ({@link ProtocolChannel}),
 * loads the Unicorn library its argument names and says {@link Ready} with the library's version
 * (or {@link Unavailable}, then exits), starts the engine thread, and then reads stdin: stops are
 * handled at once, since the engine thread is busy running the guest when they arrive; everything
 * else, replies to exits included, is queued for the engine thread, in order. End of
 * stdin means the parent is gone, and the worker halts, abandoning whatever the guest was doing.
 */
public final class WorkerMain {
    private static final int BUFFER = 1 << 16;
    /**
     * The parent does not wait for the calls it {@linkplain io.github.junitkvm.emulator.protocol.Message.Post
     * posts}: a full queue stops reading, and the pipe then stops the parent, before the worker's
     * heap holds more than a few of the largest messages.
     */
    private static final int QUEUED_MESSAGES = 4;

    private WorkerMain() {
    }

    /**
     * @param args the library to load: {@link UnicornLibrary#SYSTEM} or a library file's absolute
     *     path; {@link UnicornLibrary#SYSTEM} when absent
     */
    public static void main(String[] args) {
        ProtocolChannel protocol;
        try {
            protocol = ProtocolChannel.claimStdout();
        } catch (LinkageError | LastErrorException e) {
            new ParentLink(new FileOutputStream(FileDescriptor.out))
                    .reply(new Unavailable("the worker cannot claim its stdout through JNA: " + e));
            Runtime.getRuntime().halt(1);
            return;
        }
        ParentLink parent = new ParentLink(new BufferedOutputStream(protocol, BUFFER));

        UnicornLibrary uc;
        try {
            uc = UnicornLibrary.load(args.length > 0 ? args[0] : UnicornLibrary.SYSTEM);
        } catch (LinkageError e) {
            parent.reply(new Unavailable(e.getMessage()));
            Runtime.getRuntime().halt(1);
            return;
        }
        IntByReference major = new IntByReference();
        IntByReference minor = new IntByReference();
        int combined = uc.uc_version(major, minor);
        if (major.getValue() != 2) {
            parent.reply(new Unavailable("libunicorn " + major.getValue() + "." + minor.getValue()
                    + " was found, but the emulator backend needs Unicorn 2"));
            Runtime.getRuntime().halt(1);
            return;
        }
        parent.reply(new Ready(UnicornLibrary.versionName(combined)));

        StopSwitch stopSwitch = new StopSwitch();
        BlockingQueue<Message> requests = new LinkedBlockingQueue<>(QUEUED_MESSAGES);
        Thread engine = new Thread(new MachineServer(uc, parent, stopSwitch, requests), "emulator-engine");
        engine.setDaemon(true);
        // Without its engine thread the worker would ignore requests forever; dying lets the parent see why.
        engine.setUncaughtExceptionHandler((thread, error) -> {
            error.printStackTrace();
            Runtime.getRuntime().halt(3);
        });
        engine.start();
        readRequests(stopSwitch, requests);
    }

    private static void readRequests(StopSwitch stopSwitch, BlockingQueue<Message> requests) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), BUFFER));
        try {
            while (true) {
                Message message = MessageCodec.read(in);
                if (message instanceof Stop stop) {
                    stopSwitch.request(stop.runId());
                } else {
                    if (message instanceof Request request && request.call() instanceof Run run) {
                        stopSwitch.arm(run.runId());
                    }
                    requests.put(message);
                }
            }
        } catch (EOFException | InterruptedException e) {
            Runtime.getRuntime().halt(0);
        } catch (IOException | RuntimeException e) {
            System.err.println("emulator worker: cannot read the parent's requests: " + e);
            Runtime.getRuntime().halt(2);
        }
    }
}
