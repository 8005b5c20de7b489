package io.github.junitkvm.emulator.worker;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.Message.Unavailable;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;

/**
 * The worker process's entry point. It claims stdout for the protocol ({@link ProtocolChannel}),
 * loads the Unicorn library its argument names and says {@link Ready} with the library's version
 * (or {@link Unavailable}, then exits), starts the engine thread, which serves the parent's
 * messages from stdin, and then reads stdin itself while the guest runs ({@link Inbox}).
 */
public final class WorkerMain {
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
        ParentLink parent = new ParentLink(new BufferedOutputStream(protocol, MessageCodec.WRITE_BUFFER));
        SmallPages.useForThisProcess();

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
        VcpuLines lines = new VcpuLines();
        Inbox requests = new Inbox(new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in),
                MessageCodec.READ_BUFFER)), stopSwitch, lines);
        Thread engine = new Thread(new MachineServer(uc, parent, stopSwitch, lines, requests), "emulator-engine");
        engine.setDaemon(true);
        // Without its engine thread the worker would ignore requests forever; dying lets the parent see why.
        engine.setUncaughtExceptionHandler((thread, error) -> {
            error.printStackTrace();
            Runtime.getRuntime().halt(3);
        });
        engine.start();
        requests.readDuringRuns();
    }
}
