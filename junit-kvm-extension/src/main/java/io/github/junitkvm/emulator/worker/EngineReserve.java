package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

/**
 * Opens and closes the worker's engines while the parent has nothing for it, so that opening and
 * closing an engine, half of what the worker spends on a test's machine (tools/bench), happen
 * between tests instead of inside them. It keeps one spare engine, opened for the configuration of
 * the last machine the worker hosted (the machines of a test class mostly share one), which the next
 * machine of that configuration, or the reset of the machine, takes as it is; and it closes the
 * engines of destroyed machines and a spare of another configuration once nothing waits.
 *
 * <p>A spare is an engine nothing has run on, as one opened on demand is: its RAM and translation
 * buffer untouched, it adds about 1.5 MiB to a worker. Engine thread only.
 */
final class EngineReserve {
    private final Function<MachineConfig, VirtualMachine> opener;
    private final Deque<VirtualMachine> destroyed = new ArrayDeque<>();
    /** The configuration of the machine the worker hosted last, to keep a spare of; null for none. */
    private MachineConfig expected;
    private VirtualMachine spare;
    private MachineConfig spareConfig;

    /** @param opener opens an engine for a configuration, or throws why it cannot */
    EngineReserve(Function<MachineConfig, VirtualMachine> opener) {
        this.opener = opener;
    }

    /**
     * @param config the machine's configuration
     * @return the spare, if it has this configuration; otherwise a machine opened now
     * @throws RuntimeException what the opener throws
     */
    VirtualMachine open(MachineConfig config) {
        expected = config;
        VirtualMachine machine = takeSpare(config);
        return machine != null ? machine : opener.apply(config);
    }

    /**
     * @param config a machine's configuration
     * @return the spare, if it has this configuration, now taken; otherwise null
     */
    VirtualMachine takeSpare(MachineConfig config) {
        if (spare == null || !spareConfig.equals(config)) {
            return null;
        }
        VirtualMachine machine = spare;
        spare = null;
        return machine;
    }

    /**
     * Takes a machine the parent destroyed or reset, to close it once nothing waits; a spare of its
     * configuration is opened after that.
     *
     * @param machine the machine
     * @param config its configuration
     */
    void destroyed(VirtualMachine machine, MachineConfig config) {
        destroyed.add(machine);
        expected = config;
    }

    /** @return whether {@link #workAhead} has something to do */
    boolean hasWorkAhead() {
        return !destroyed.isEmpty() || (spare == null ? expected != null : !spareConfig.equals(expected));
    }

    /**
     * Does one piece of the waiting work, in the order that frees memory first: closes a destroyed
     * machine, closes a spare of another configuration, or opens the spare.
     */
    void workAhead() {
        VirtualMachine machine = destroyed.poll();
        if (machine != null) {
            machine.close();
        } else if (spare != null && !spareConfig.equals(expected)) {
            spare.close();
            spare = null;
        } else if (spare == null && expected != null) {
            MachineConfig config = expected;
            try {
                spare = opener.apply(config);
                spareConfig = config;
            } catch (RuntimeException e) {
                // The machine it was opened for had this configuration, so this is rare (memory
                // short at the moment): the next machine is opened on demand and gets the error.
                expected = null;
            }
        }
    }
}
