package io.github.junitkvm.backend;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The thread rules of {@link VirtualMachine}, written once for every backend: a backend's machine
 * is called by one thread at a time, never after its {@code close()}, and never closed while a
 * call is in progress; this wrapper makes its callers keep those rules.
 *
 * <p>Calls hold one reentrant lock, so that a run's listener (a handler at an exit) may call the
 * machine again on the running thread. {@link #requestStop()}, {@link #setInterruptRequest} and
 * {@link #raiseNmi()} go straight to the machine, which makes them thread-safe. {@link #close()} stops a run in progress and releases the machine once no
 * call holds it: at once between calls, when the run returns if a listener of the run closed it,
 * and also then if the run has not returned within ten seconds (its listener is stuck):
 * {@code close()} always returns.
 */
public final class GuardedMachine implements VirtualMachine {
    /** How long {@link #close()} waits for a run in another thread to return and release the machine. */
    private static final long CLOSE_WAIT_MILLIS = 10_000;

    private final VirtualMachine machine;
    private final long closeWaitMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    /** Written under {@link #lock}. */
    private boolean running;
    /** Written under {@link #lock}. */
    private boolean released;

    /**
     * @param machine a backend's machine, which the caller hands over
     * @param closeWaitMillis how long {@link #close()} waits for a call in another thread to return
     */
    GuardedMachine(VirtualMachine machine, long closeWaitMillis) {
        this.machine = machine;
        this.closeWaitMillis = closeWaitMillis;
    }

    /**
     * @param machine a backend's machine, which the caller hands over
     * @return the machine, guarded
     */
    public static VirtualMachine of(VirtualMachine machine) {
        return new GuardedMachine(machine, CLOSE_WAIT_MILLIS);
    }

    /**
     * @param guarded a machine from {@link #of}
     * @return the backend's machine it guards, for the backend's own tests and diagnostics
     * @throws ClassCastException if the machine is not guarded
     */
    public static VirtualMachine backendOf(VirtualMachine guarded) {
        return ((GuardedMachine) guarded).machine;
    }

    @Override
    public byte[] readMemory(long address, int length) {
        return locked(() -> machine.readMemory(address, length));
    }

    @Override
    public void writeMemory(long address, byte[] data) {
        locked(() -> {
            machine.writeMemory(address, data);
            return null;
        });
    }

    @Override
    public GeneralRegisters registers(int vcpu) {
        return locked(() -> machine.registers(vcpu));
    }

    @Override
    public void setRegisters(int vcpu, GeneralRegisters registers) {
        locked(() -> {
            machine.setRegisters(vcpu, registers);
            return null;
        });
    }

    @Override
    public SpecialRegisters specialRegisters(int vcpu) {
        return locked(() -> machine.specialRegisters(vcpu));
    }

    @Override
    public void setSpecialRegisters(int vcpu, SpecialRegisters registers) {
        locked(() -> {
            machine.setSpecialRegisters(vcpu, registers);
            return null;
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the machine is closed, or if called from a listener of a run
     *     in progress
     */
    @Override
    public List<StopCause> runAll(Set<Integer> stopPorts, List<ExitListener> listeners) {
        return locked(() -> {
            refuseInRun("run()");
            running = true;
            try {
                return machine.runAll(stopPorts, listeners);
            } finally {
                running = false;
            }
        });
    }

    @Override
    public InstructionTrace lastRunTrace() {
        return locked(machine::lastRunTrace);
    }

    @Override
    public void reset() {
        locked(() -> {
            refuseInRun("reset()");
            machine.reset();
            return null;
        });
    }

    @Override
    public void requestStop() {
        machine.requestStop();
    }

    /** {@inheritDoc} Goes straight to the machine, which makes it thread-safe, as {@link #requestStop()}. */
    @Override
    public void setInterruptRequest(int vcpu, boolean asserted) {
        refuseClosed();
        machine.setInterruptRequest(vcpu, asserted);
    }

    /** {@inheritDoc} Goes straight to the machine, which makes it thread-safe, as {@link #requestStop()}. */
    @Override
    public void raiseNmi(int vcpu) {
        refuseClosed();
        machine.raiseNmi(vcpu);
    }

    private void refuseClosed() {
        if (closed) {
            throw new IllegalStateException("this machine is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        machine.requestStop();
        if (lock.isHeldByCurrentThread()) {
            return; // a listener of the run: the run releases the machine as it returns
        }
        try {
            if (!lock.tryLock(closeWaitMillis, TimeUnit.MILLISECONDS)) {
                return; // the run's listener is stuck: the run releases the machine when it returns
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            releaseIfClosed();
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(Supplier<T> call) {
        lock.lock();
        try {
            refuseClosed();
            return call.get();
        } finally {
            try {
                releaseIfClosed();
            } finally {
                lock.unlock();
            }
        }
    }

    private void refuseInRun(String call) {
        if (running) {
            throw new IllegalStateException(call + " was called from an exit listener while the machine runs");
        }
    }

    /** Releases the machine if it is closed and no call holds it but the caller's own, outermost one. */
    private void releaseIfClosed() {
        if (closed && !released && lock.getHoldCount() == 1) {
            released = true;
            machine.close();
        }
    }
}
