package io.github.junitkvm.guest;

import io.github.junitkvm.Backend;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.ReleaseAll;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Machines kept for reuse ({@code junitkvm.reuseVms}): a machine released cleanly is reset
 * ({@link VirtualMachine#reset()}) and parked, and the next VM with the same backend and
 * {@link MachineConfig} gets it instead of a new one. The pool owns every parked machine and closes
 * them all on {@link #close()}; at most {@link #PARKED_PER_CONFIG} are parked per configuration,
 * a released machine beyond that is closed. Thread-safe.
 */
public final class MachinePool implements AutoCloseable {
    /** Tests of one configuration run one after another, or a few in parallel: a few suffice. */
    static final int PARKED_PER_CONFIG = 2;

    private record Key(Backend backend, MachineConfig config) {
    }

    private final Map<Key, Deque<VirtualMachine>> parked = new HashMap<>();
    private boolean closed;

    /** Creates an empty pool. */
    public MachinePool() {
    }

    /**
     * @param hypervisor creates the machines the pool has none of
     * @return a source of this pool's machines, on that hypervisor
     */
    public MachineSource on(Hypervisor hypervisor) {
        return on(hypervisor, reused -> { });
    }

    /**
     * @param hypervisor creates the machines the pool has none of
     * @param obtained told, at every machine obtained, whether it is a reused one
     * @return a source of this pool's machines, on that hypervisor
     */
    public MachineSource on(Hypervisor hypervisor, Consumer<Boolean> obtained) {
        return new MachineSource() {
            @Override
            public Backend backend() {
                return hypervisor.backend();
            }

            @Override
            public VirtualMachine obtain(MachineConfig config) {
                VirtualMachine machine = take(new Key(hypervisor.backend(), config));
                obtained.accept(machine != null);
                return machine != null ? machine : hypervisor.createResettableMachine(config);
            }

            @Override
            public void release(VirtualMachine machine, MachineConfig config, boolean reusable) {
                park(new Key(hypervisor.backend(), config), machine, reusable);
            }
        };
    }

    private synchronized VirtualMachine take(Key key) {
        Deque<VirtualMachine> machines = parked.get(key);
        return machines == null ? null : machines.pollFirst();
    }

    /**
     * Resets the machine on the releasing thread, outside the lock, so that other tests are not held
     * up. A reset that fails closes the machine and propagates: a broken reset must not go unnoticed.
     */
    private void park(Key key, VirtualMachine machine, boolean reusable) {
        if (!reusable || isClosed()) {
            machine.close();
            return;
        }
        try {
            machine.reset();
        } catch (RuntimeException | Error e) {
            machine.close();
            throw e;
        }
        synchronized (this) {
            Deque<VirtualMachine> machines = parked.computeIfAbsent(key, k -> new ArrayDeque<>());
            if (!closed && machines.size() < PARKED_PER_CONFIG) {
                machines.addFirst(machine);
                return;
            }
        }
        machine.close();
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** @return how many machines are parked, for the tests */
    synchronized int parkedCount() {
        return parked.values().stream().mapToInt(Deque::size).sum();
    }

    /** Closes every parked machine; machines released afterwards are closed at once. */
    @Override
    public void close() {
        List<VirtualMachine> toClose = new ArrayList<>();
        synchronized (this) {
            closed = true;
            parked.values().forEach(toClose::addAll);
            parked.clear();
        }
        ReleaseAll.run(toClose.stream().map(machine -> (Runnable) machine::close).toList());
    }
}
