package io.github.junitkvm.emulator;

import io.github.junitkvm.backend.HypervisorUnavailableException;
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
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One worker process and the pipes to it: sends messages (from any thread, one at a time), receives
 * them (one thread at a time), and when the worker dies says how, with its last stderr lines.
 */
final class WorkerProcess {
    /** A JVM that has not said hello by then is stuck, not slow. */
    private static final long STARTUP_MILLIS = 60_000;
    private static final long EXIT_WAIT_MILLIS = 5_000;
    private static final long STDERR_WAIT_MILLIS = 2_000;
    private static final int BUFFER = 1 << 16;

    private final Process process;
    private final DataOutputStream toWorker;
    private final DataInputStream fromWorker;
    private final StderrTail stderr;
    private volatile String killReason;
    private volatile String deathNotice;

    private WorkerProcess(Process process) {
        this.process = process;
        this.toWorker = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), BUFFER));
        this.fromWorker = new DataInputStream(new BufferedInputStream(process.getInputStream(), BUFFER));
        this.stderr = new StderrTail(process.getErrorStream(), "emulator-worker-" + process.pid() + "-stderr");
    }

    /**
     * Starts a worker and waits until it has loaded Unicorn.
     *
     * @return the ready worker
     * @throws HypervisorUnavailableException if it cannot start or cannot load Unicorn
     */
    static WorkerProcess start() {
        return start(WorkerCommand.build());
    }

    /**
     * @param command the command line
     * @return the ready worker
     * @throws HypervisorUnavailableException if it cannot start or cannot load Unicorn
     */
    static WorkerProcess start(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new HypervisorUnavailableException("cannot start the emulator worker " + command + ": " + e, e);
        }
        WorkerProcess worker = new WorkerProcess(process);
        ScheduledFuture<?> deadline = Watchdog.after(STARTUP_MILLIS,
                () -> worker.kill("it did not load Unicorn within " + STARTUP_MILLIS / 1000 + " s"));
        try {
            Message hello = worker.receive();
            if (hello instanceof Ready) {
                return worker;
            }
            worker.kill("it could not load Unicorn");
            String reason = hello instanceof Unavailable unavailable ? unavailable.reason() : "it said " + hello;
            throw unavailable(reason);
        } catch (WorkerDiedException e) {
            throw unavailable(e.getMessage());
        } finally {
            deadline.cancel(false);
        }
    }

    private static HypervisorUnavailableException unavailable(String reason) {
        return new HypervisorUnavailableException("the emulator backend needs libunicorn 2 (libunicorn.so.2);"
                + " install it with `apt-get install libunicorn2`. The emulator worker said: " + reason);
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
        String lastWords = stderr.text();
        String why = killReason == null ? "" : "; it was killed because " + killReason;
        return "emulator worker process died (" + status + ")" + why
                + (lastWords.isEmpty() ? "; it wrote nothing to stderr" : ": " + lastWords)
                + " [worker pid " + process.pid() + "]";
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
}
