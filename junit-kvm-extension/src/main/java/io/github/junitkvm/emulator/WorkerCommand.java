package io.github.junitkvm.emulator;

import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.emulator.worker.WorkerMain;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of a worker: this JVM's own {@code java}, a classpath of exactly the two code
 * sources the worker needs (this extension and JNA), options for a small, quick-starting JVM,
 * options that send its crash files to a {@link CrashFiles} directory, and the Unicorn library to
 * load.
 */
final class WorkerCommand {
    /** JNA's entry class; named, not referenced, so that this JVM never loads JNA's native part. */
    private static final String JNA_CLASS = "com.sun.jna.Native";

    /**
     * A small heap, as a worker holds one machine's messages at a time, with a young generation of
     * 2 MiB: garbage touches every page of the young generation before the first collection, and
     * with the default one (17 MiB here) a worker that had served 500 machines held 81 MiB resident
     * instead of 66 MiB. A worker out of memory
     * exits (status 3) instead of serving on in an unknown state, naming the error on stderr, where
     * the JVM is told to write what it would print on stdout, the protocol's channel (until the
     * worker's main method moves the protocol off descriptor 1, which the JVM's own fatal-error
     * banner ignores this option for). Native access is granted up front: from Java 24 on, JNA's
     * loading of its library would otherwise print a warning on stderr, which a dead worker's
     * message would repeat.
     *
     * <p>The JDK's class-data archive is mapped at the address it was built for: JDK 17.0.x and
     * later map it at a random one by default, which makes every worker relocate it, dirtying
     * 7 MiB of pages that all workers could share (measured: 34.3 MiB of private pages in a worker
     * with one machine, 27.7 MiB without the relocation). The archive holds class metadata, no
     * machine code, and the JVM's and Unicorn's libraries stay at random addresses.
     */
    private static final List<String> JVM_OPTIONS = List.of(
            "-Xmx64m", "-Xmn2m", "-Xss1m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0",
            "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError", "-XX:+DisplayVMOutputToStderr",
            "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true");

    private WorkerCommand() {
    }

    /**
     * @param crashFiles where the worker's crash files go
     * @param library the libunicorn to load: {@code UnicornLibrary.SYSTEM} or an absolute path
     * @return the command that starts a worker
     * @throws HypervisorUnavailableException if the classpath cannot be derived
     */
    static List<String> build(CrashFiles crashFiles, String library) {
        Set<String> classpath = new LinkedHashSet<>();
        classpath.add(location(WorkerMain.class));
        try {
            classpath.add(location(Class.forName(JNA_CLASS, false, WorkerCommand.class.getClassLoader())));
        } catch (ClassNotFoundException e) {
            throw new HypervisorUnavailableException("the emulator backend needs JNA (net.java.dev.jna:jna)"
                    + " on the classpath", e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(crashFiles.jvmOptions());
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.add(WorkerMain.class.getName());
        command.add(library);
        return command;
    }

    private static String location(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new HypervisorUnavailableException("cannot find where " + type.getName()
                    + " was loaded from, so the emulator worker cannot be given a classpath");
        }
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new HypervisorUnavailableException("cannot use " + source.getLocation()
                    + " on the emulator worker's classpath", e);
        }
    }
}
