package io.github.junitkvm.kvm;

import io.github.junitkvm.backend.ExitListener;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * A vCPU thread's view of its listener: each call is handed, as a task, to the thread that serves
 * the run's exits ({@link VcpuThreads}), and the vCPU thread waits for its answer, as the guest
 * waits at the exit. What the listener throws is thrown on the vCPU thread.
 */
final class RelayedExits implements ExitListener {
    private final ExitListener listener;
    private final BlockingQueue<Runnable> work;

    /**
     * @param listener the vCPU's listener, called on the serving thread
     * @param work the serving thread's queue
     */
    RelayedExits(ExitListener listener, BlockingQueue<Runnable> work) {
        this.listener = listener;
        this.work = work;
    }

    @Override
    public Set<Integer> observedPorts() {
        return relay(listener::observedPorts);
    }

    @Override
    public long portIn(int port, int size) {
        return relay(() -> listener.portIn(port, size));
    }

    @Override
    public void portOut(int port, int size, long value) {
        relay(() -> {
            listener.portOut(port, size, value);
            return null;
        });
    }

    @Override
    public long mmioRead(long address, int size) {
        return relay(() -> listener.mmioRead(address, size));
    }

    @Override
    public void mmioWrite(long address, int size, long value) {
        relay(() -> {
            listener.mmioWrite(address, size, value);
            return null;
        });
    }

    @Override
    public int acknowledgeInterrupt() {
        return relay(listener::acknowledgeInterrupt);
    }

    @Override
    public Set<Long> routedMsrs() {
        return relay(listener::routedMsrs);
    }

    @Override
    public Long msrRead(long index) {
        return relay(() -> listener.msrRead(index));
    }

    @Override
    public boolean msrWrite(long index, long value) {
        return relay(() -> listener.msrWrite(index, value));
    }

    private <T> T relay(Supplier<T> call) {
        FutureTask<T> task = new FutureTask<>(call::get);
        work.add(task);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    // The guest waits at its exit until the answer comes, as it would with one vCPU.
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("the exit listener failed", cause);
        } catch (CancellationException e) {
            throw new IllegalStateException("the exit was abandoned", e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
