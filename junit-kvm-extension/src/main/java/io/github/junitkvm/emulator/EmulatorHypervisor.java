package io.github.junitkvm.emulator;

import io.github.junitkvm.Backend;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.HypervisorUnavailableException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Done;
import io.github.junitkvm.emulator.protocol.Message.Failed;

/**
 * The EMULATOR backend: machines emulated by Unicorn 2 ({@code libunicorn.so.2}), each in a worker
 * process leased from a pool shared by the whole JVM, so that Unicorn's {@code abort()} on some
 * guest code ends a worker, not the tests. Thread-safe.
 *
 * <p>Every {@link io.github.junitkvm.CpuMode} runs, each in a Unicorn engine of its own width (16-bit
 * for {@code REAL}, 32-bit for {@code PROTECTED} and {@code PAGED}, 64-bit for {@code LONG}); RAM is
 * read-write.
 */
public final class EmulatorHypervisor implements Hypervisor {
    private static final WorkerPool POOL = new WorkerPool(WorkerProcess::start,
            Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors())));

    private final WorkerPool pool;

    private EmulatorHypervisor(WorkerPool pool) {
        this.pool = pool;
    }

    /**
     * Checks that a worker can load Unicorn (starting one, which then waits in the pool for the
     * first machine).
     *
     * @return the hypervisor
     * @throws HypervisorUnavailableException if Unicorn cannot be loaded, saying what to install and
     *     what the worker reported
     * @throws io.github.junitkvm.backend.TransientHypervisorException if no worker could be started,
     *     or it died before it was ready: out of file descriptors or memory for a moment, say
     */
    public static EmulatorHypervisor open() {
        POOL.giveBack(POOL.lease());
        return new EmulatorHypervisor(POOL);
    }

    @Override
    public Backend backend() {
        return Backend.EMULATOR;
    }

    /**
     * @param config RAM regions (read-write) and the CPU mode, which picks the engine
     * @return a machine served by its own worker until it is closed
     * @throws HypervisorException if the configuration is beyond the emulator, or no worker can serve
     */
    @Override
    public VirtualMachine createMachine(MachineConfig config) {
        WorkerProcess worker = pool.lease();
        Message reply;
        try {
            worker.send(new Create(config));
            reply = worker.receive();
        } catch (WorkerDiedException e) {
            pool.discard(worker);
            throw new HypervisorException("cannot create an emulator machine: " + e.getMessage(), e);
        }
        if (reply instanceof Done) {
            return new EmulatorMachine(worker, pool);
        }
        if (reply instanceof Failed failed) {
            pool.giveBack(worker);
            throw new HypervisorException(failed.message());
        }
        pool.discard(worker);
        throw new HypervisorException("protocol error: the emulator worker answered " + reply + " to " + config);
    }
}
