package io.github.junitkvm.backend;

/**
 * Why {@link VirtualMachine#run} returned.
 *
 * @param kind the kind of stop
 * @param port for {@link Kind#STOP_PORT}: the port written
 * @param size for {@link Kind#STOP_PORT}: the access size
 * @param value the value written ({@code STOP_PORT}), the hardware entry failure reason
 *     ({@code FAIL_ENTRY}), the sub-error ({@code INTERNAL_ERROR}), the exception vector or -1
 *     ({@code EMULATOR_FAULT}); else 0
 * @param detail a human explanation for fault-like stops, else the empty string
 */
public record StopCause(Kind kind, int port, int size, long value, String detail) {
    /**
     * The {@code INTERNAL_ERROR} sub-error of an instruction the hypervisor cannot run, KVM's
     * {@code KVM_INTERNAL_ERROR_EMULATION}: on every backend, code fetched from outside RAM.
     */
    public static final int UNEMULATED_INSTRUCTION = 1;

    /** The kinds of stop. */
    public enum Kind {
        /** The guest executed {@code HLT}. */
        HLT,
        /** The guest shut down (triple fault). */
        SHUTDOWN,
        /** The hypervisor could not enter the guest. */
        FAIL_ENTRY,
        /** The hypervisor failed internally. */
        INTERNAL_ERROR,
        /** {@link VirtualMachine#requestStop()} was called during the run. */
        STOP_REQUESTED,
        /** The guest wrote to one of the run's stop ports; the write was not passed to the listener. */
        STOP_PORT,
        /** The emulator could not go on, or its process died. */
        EMULATOR_FAULT
    }

    /** Replaces a null detail by the empty string. */
    public StopCause {
        detail = detail == null ? "" : detail;
    }

    /** @return a stop on {@code HLT} */
    public static StopCause hlt() {
        return new StopCause(Kind.HLT, 0, 0, 0, "");
    }

    /** @return a stop asked for by {@link VirtualMachine#requestStop()} */
    public static StopCause stopRequested() {
        return new StopCause(Kind.STOP_REQUESTED, 0, 0, 0, "");
    }

    /**
     * @param port the stop port written
     * @param size the access size
     * @param value the value written
     * @return a stop on a write to a stop port
     */
    public static StopCause stopPort(int port, int size, long value) {
        return new StopCause(Kind.STOP_PORT, port, size, value, "");
    }

    /**
     * @param kind {@code SHUTDOWN}, {@code FAIL_ENTRY}, {@code INTERNAL_ERROR} or {@code EMULATOR_FAULT}
     * @param code the code that goes with it
     * @param detail an explanation
     * @return the stop
     */
    public static StopCause fault(Kind kind, long code, String detail) {
        return new StopCause(kind, 0, 0, code, detail);
    }
}
