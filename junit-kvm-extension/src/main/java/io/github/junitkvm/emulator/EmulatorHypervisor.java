package io.github.junitkvm.emulator;

import io.github.junitkvm.Backend;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.GuardedMachine;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Failed;
import io.github.junitkvm.emulator.protocol.Message.ReplyWithState;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The EMULATOR backend: machines emulated by Unicorn 2 ({@code libunicorn.so.2}), each in a worker
 * process leased from this hypervisor's pool, so that Unicorn's {@code abort()} on some guest code
 * ends a worker, not the tests. Which library the workers load is the {@value #UNICORN_PARAMETER}
 * setting's choice ({@link UnicornChoice}). The hypervisor owns its workers: {@link #close()} ends
 * them. Thread-safe.
 *
 * <p>Every {@link io.github.junitkvm.CpuMode} runs, each in a Unicorn engine of its own width (16-bit
 * for {@code REAL}, 32-bit for {@code PROTECTED} and {@code PAGED}, 64-bit for {@code LONG}); RAM is
 * read-write.
 */
public final class EmulatorHypervisor implements Hypervisor {
    /** The configuration parameter (or system property) that names the Unicorn library. */
    public static final String UNICORN_PARAMETER = "junitkvm.unicorn";

    /** A worker that has not opened an engine by then is wedged: it is killed, and the call fails. */
    private static final long CREATE_MILLIS = 30_000;
    private static final int MAX_IDLE_WORKERS = Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));

    private final WorkerPool pool;
    private final String unicornVersion;
    private final String library;

    private EmulatorHypervisor(WorkerPool pool, String unicornVersion, String library) {
        this.pool = pool;
        this.unicornVersion = unicornVersion;
        this.library = library;
    }

    /**
     * Opens the emulator on the Unicorn library that the system property
     * {@value #UNICORN_PARAMETER} names, as {@link #open(Optional)} does.
     *
     * @return the hypervisor; the caller owns it and must close it
     */
    public static EmulatorHypervisor open() {
        return open(Optional.ofNullable(System.getProperty(UNICORN_PARAMETER)));
    }

    /**
     * Checks that a worker can load the chosen Unicorn library (starting one, which then waits in
     * the hypervisor's pool for the first machine).
     *
     * @param unicorn the {@value #UNICORN_PARAMETER} setting: {@code auto} when empty
     * @return the hypervisor; the caller owns it and must close it
     * @throws io.github.junitkvm.KvmGuestConfigurationException if the setting names a library that
     *     cannot be used, saying which and why
     * @throws HypervisorUnavailableException if {@code auto} finds no Unicorn 2, saying what to
     *     install and what the worker reported
     * @throws io.github.junitkvm.backend.TransientHypervisorException if no worker could be started,
     *     or it died before it was ready: out of file descriptors or memory for a moment, say
     */
    public static EmulatorHypervisor open(Optional<String> unicorn) {
        return UnicornChoice.of(unicorn, UnicornWheel.onPath()).open(library -> {
            WorkerPool pool = new WorkerPool(() -> WorkerProcess.start(library), MAX_IDLE_WORKERS);
            try {
                WorkerProcess worker = pool.lease();
                String version = worker.unicornVersion();
                pool.giveBack(worker);
                return new EmulatorHypervisor(pool, version, library);
            } catch (RuntimeException | Error e) {
                pool.close();
                throw e;
            }
        });
    }

    /** @return the version of the Unicorn library the workers load, for example {@code 2.0.1} */
    public String unicornVersion() {
        return unicornVersion;
    }

    /**
     * @return the file of the Unicorn library the workers load; empty for the system's, which the
     *     dynamic linker finds
     */
    public Optional<Path> libraryFile() {
        return library.equals(UnicornLibrary.SYSTEM) ? Optional.empty() : Optional.of(Path.of(library));
    }

    /** @return the version and file of the Unicorn library the workers load */
    @Override
    public Optional<String> libraryDescription() {
        return Optional.of(unicornVersion + " " + libraryFile().map(Path::toString)
                .orElse("(the system's libunicorn.so.2)"));
    }

    @Override
    public Backend backend() {
        return Backend.EMULATOR;
    }

    /**
     * @param config RAM regions (read-write) and the CPU mode, which picks the engine
     * @return a machine served by its own worker until it is closed
     * @throws HypervisorException if the configuration is beyond the emulator, or no worker can serve
     * @throws IllegalStateException if the hypervisor is closed
     */
    @Override
    public VirtualMachine createMachine(MachineConfig config) {
        try {
            return create(config);
        } catch (WorkerDiedException idleDeath) {
            // A worker may die after its last machine was closed (that close does not wait for the
            // engine to go); a fresh one gets the same chance as any.
            try {
                return create(config);
            } catch (WorkerDiedException e) {
                throw new HypervisorException("cannot create an emulator machine: " + e.getMessage(), e);
            }
        }
    }

    private VirtualMachine create(MachineConfig config) {
        WorkerProcess worker = pool.lease();
        Message reply;
        try {
            Create create = new Create(config);
            worker.send(create);
            reply = worker.receiveWithin(CREATE_MILLIS, create);
        } catch (WorkerDiedException e) {
            pool.discard(worker);
            throw e;
        }
        if (reply instanceof ReplyWithState created) {
            return GuardedMachine.of(new EmulatorMachine(worker, pool, created.state(), config.vcpus()));
        }
        if (reply instanceof Failed failed) {
            pool.giveBack(worker);
            throw new HypervisorException(failed.message());
        }
        pool.discard(worker);
        throw new HypervisorException("protocol error: the emulator worker answered " + reply + " to " + config);
    }

    /** Ends every worker: the idle ones exit, those of machines still open are killed. Idempotent. */
    @Override
    public void close() {
        pool.close();
    }
}
