package io.github.junitkvm.emulator;

import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.TransientHypervisorException;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.Message.Unavailable;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One worker process and the pipes to it: sends messages (from any thread, one at a time), receives
 * them (one thread at a time), and when the worker dies says how, with the beginning of its JVM's
 * crash report and its last stderr lines. Its {@link CrashFiles} are deleted when it ends.
 */
final class WorkerProcess {
    /** A JVM that has not said hello by then is stuck, not slow. */
    private static final long STARTUP_MILLIS = 60_000;
    private static final long EXIT_WAIT_MILLIS = 5_000;
    private static final long STDERR_WAIT_MILLIS = 2_000;

    private final Process process;
    private final CrashFiles crashFiles;
    private final DataOutputStream toWorker;
    private final DataInputStream fromWorker;
    private final StderrTail stderr;
    private String unicornVersion;
    /** The reply a caller waits for, while it waits: the watchdog kills the worker when it is late. */
    private volatile Awaited awaited;
    private volatile String killReason;
    private volatile String deathNotice;

    private WorkerProcess(Process process, CrashFiles crashFiles) {
        this.process = process;
        this.crashFiles = crashFiles;
        this.toWorker = new DataOutputStream(
                new BufferedOutputStream(process.getOutputStream(), MessageCodec.WRITE_BUFFER));
        this.fromWorker = new DataInputStream(buffered(process.getInputStream()));
        this.stderr = new StderrTail(process.getErrorStream(), "emulator-worker-" + process.pid() + "-stderr");
    }

    /**
     * Starts a worker and waits until it has loaded Unicorn.
     *
     * @param library the libunicorn to load: {@code UnicornLibrary.SYSTEM} or an absolute path
     * @return the ready worker
     * @throws HypervisorUnavailableException if it cannot load Unicorn, or JNA is missing here
     * @throws TransientHypervisorException if it cannot be started, or dies or hangs before it is
     *     ready
     */
    static WorkerProcess start(String library) {
        return start(crashFiles -> WorkerCommand.build(crashFiles, library));
    }

    /**
     * @param command the command line, given the directory for the worker's crash files
     * @return the ready worker
     * @throws HypervisorUnavailableException if it says that it cannot load Unicorn
     * @throws TransientHypervisorException if it cannot be started, or dies or hangs before it is
     *     ready
     */
    static WorkerProcess start(Function<CrashFiles, List<String>> command) {
        CrashFiles crashFiles = CrashFiles.create();
        Process process;
        try {
            process = launch(command.apply(crashFiles), crashFiles);
        } catch (RuntimeException e) {
            crashFiles.delete();
            throw e;
        }
        WorkerProcess worker = new WorkerProcess(process, crashFiles);
        Watchdog.watch(worker);
        try {
            Message hello = worker.receiveWithin(STARTUP_MILLIS, "load Unicorn");
            if (hello instanceof Ready ready) {
                worker.unicornVersion = ready.unicornVersion();
                return worker;
            }
            worker.discard("it could not load Unicorn");
            if (hello instanceof Unavailable unavailable) {
                throw new HypervisorUnavailableException("the emulator worker said: " + unavailable.reason());
            }
            throw new TransientHypervisorException("the emulator worker did not start: it said " + hello
                    + " instead of hello");
        } catch (WorkerDiedException e) {
            throw new TransientHypervisorException("the emulator worker did not start: " + e.getMessage(), e);
        }
    }

    /**
     * The JDK buffers a process's output already (on Linux, a {@link BufferedInputStream} of 8 KiB):
     * a second buffer over it would ask the first for 8 KiB at a time, which it answers with a read
     * and then, as a reply is shorter, an {@code available()} that costs two more system calls a
     * message.
     */
    private static InputStream buffered(InputStream fromProcess) {
        return fromProcess instanceof BufferedInputStream ? fromProcess
                : new BufferedInputStream(fromProcess, MessageCodec.READ_BUFFER);
    }

    /** Runs the worker in its crash files' directory, so that nothing it leaves lands elsewhere. */
    private static Process launch(List<String> command, CrashFiles crashFiles) {
        try {
            return new ProcessBuilder(command).directory(crashFiles.directory().toFile()).start();
        } catch (IOException e) {
            throw new TransientHypervisorException("cannot start the emulator worker " + command + ": " + e, e);
        }
    }

    /**
     * Sends a message and flushes it. Thread-safe.
     *
     * @param message the message
     * @throws WorkerDiedException if the worker is gone
     */
    void send(Message message) {
        synchronized (toWorker) {
            try {
                MessageCodec.write(toWorker, message);
                toWorker.flush();
            } catch (IOException e) {
                throw died();
            }
        }
    }

    /**
     * Writes a message that the worker may read later: it goes out with the next {@link #send}.
     * Thread-safe.
     *
     * @param message the message
     * @throws WorkerDiedException if the worker is gone
     */
    void post(Message message) {
        synchronized (toWorker) {
            try {
                MessageCodec.write(toWorker, message);
            } catch (IOException e) {
                throw died();
            }
        }
    }

    /**
     * Waits for the next message; one thread at a time.
     *
     * @return the message
     * @throws WorkerDiedException if the worker is gone
     */
    Message receive() {
        try {
            return MessageCodec.read(fromWorker);
        } catch (IOException e) {
            throw died();
        }
    }

    /**
     * Waits for the next message, for a limited time: a worker that takes longer (stopped, wedged)
     * is killed, and the wait ends with {@link WorkerDiedException} saying so.
     *
     * @param millis how long
     * @param task what the worker is to do meanwhile, for the kill's reason: a request it is to
     *     answer, or a phrase
     * @return the message
     * @throws WorkerDiedException if the worker is gone, or was killed for taking too long
     */
    Message receiveWithin(long millis, Object task) {
        awaited = new Awaited(task, millis, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
        try {
            return receive();
        } finally {
            awaited = null;
        }
    }

    /**
     * Kills the worker if the reply a caller waits for is late; called by the {@link Watchdog}.
     *
     * @param now {@link System#nanoTime()}
     */
    void killIfLate(long now) {
        Awaited late = awaited;
        if (late != null && now - late.deadline() > 0) {
            kill(late.reason());
        }
    }

    /** @return the version of the libunicorn the worker loaded, for example {@code 2.0.1} */
    String unicornVersion() {
        return unicornVersion;
    }

    /** @return the worker's process id */
    long pid() {
        return process.pid();
    }

    /** @return whether the process still runs and its pipes have not broken */
    boolean isAlive() {
        return deathNotice == null && killReason == null && process.isAlive();
    }

    /**
     * Kills the worker at once (SIGKILL); a call waiting on it returns with {@link WorkerDiedException}.
     *
     * @param reason why, for the death notice
     */
    void kill(String reason) {
        if (killReason == null) {
            killReason = reason;
        }
        process.destroyForcibly();
    }

    /** Ends an idle worker: closing its stdin makes it exit; a worker that lingers is killed. */
    void shutdown() {
        try {
            toWorker.close();
        } catch (IOException e) {
            // Already gone: nothing left to close.
        }
        try {
            if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        closeQuietly();
        crashFiles.delete();
        Watchdog.forget(this);
    }

    /**
     * Kills the worker and ends it.
     *
     * @param reason why, for the death notice
     */
    private void discard(String reason) {
        kill(reason);
        shutdown();
    }

    /**
     * Waits for the dead process to be reaped and its stderr to drain, then describes the death.
     *
     * @return the exception to throw
     */
    private WorkerDiedException died() {
        String notice = deathNotice;
        if (notice == null) {
            notice = describeDeath();
            deathNotice = notice;
        }
        return new WorkerDiedException(notice);
    }

    private String describeDeath() {
        String status;
        try {
            if (!process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                kill("its pipe broke while it still ran");
                process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            status = process.isAlive() ? "still running" : ExitStatus.describe(process.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = "exit status unknown (interrupted)";
        }
        stderr.awaitEnd(STDERR_WAIT_MILLIS);
        closeQuietly();
        Optional<String> crashReport = crashFiles.reportHead(process.pid());
        crashFiles.delete();
        Watchdog.forget(this);
        StringBuilder notice = new StringBuilder("emulator worker process died (").append(status).append(')');
        if (killReason != null) {
            notice.append("; it was killed because ").append(killReason);
        }
        // The JVM's fatal-error banner on stderr (lines beginning with #) repeats the report's first
        // lines and names the report's file, which is gone now: shown once, from the report.
        String lastWords = crashReport.isPresent() ? stderr.text(line -> !line.startsWith("#")) : stderr.text();
        crashReport.ifPresent(report -> notice.append("; its JVM's crash report began:\n").append(report));
        if (!lastWords.isEmpty()) {
            notice.append(crashReport.isPresent() ? "\nand it wrote to stderr: " : ": ").append(lastWords);
        } else if (crashReport.isEmpty()) {
            notice.append("; it wrote nothing to stderr");
        }
        return notice.append(crashReport.isPresent() ? "\n" : " ").append("[worker pid ").append(process.pid())
                .append(']').toString();
    }

    private void closeQuietly() {
        for (Closeable stream : List.of(process.getOutputStream(), process.getInputStream())) {
            try {
                stream.close();
            } catch (IOException e) {
                // The process is gone; a failed close loses nothing.
            }
        }
    }

    /**
     * A reply awaited until a deadline.
     *
     * @param task what the worker is to do: a request to answer, or a phrase
     * @param millis how long it may take
     * @param deadline {@link System#nanoTime()} when it is late
     */
    private record Awaited(Object task, long millis, long deadline) {
        String reason() {
            String what = task instanceof String phrase ? phrase : "answer " + task;
            return "it did not " + what + " within " + millis / 1000 + " s";
        }
    }
}
