package io.github.junitkvm;

import java.util.Locale;
import java.util.Objects;

/**
 * One exit of the vCPU from the guest to the host, as recorded in a {@link GuestRun}.
 *
 * <p>A value: two exits are equal when reason, port, address, size and value are equal. The
 * {@link #detail()} text, which explains fault-like exits (the hardware reason of a failed entry,
 * an emulator's last words), does not take part in equality, so {@code VmExit.shutdown()} matches
 * a recorded shutdown whatever its detail.
 */
public final class VmExit {
    private final ExitReason reason;
    private final int port;
    private final long address;
    private final int size;
    private final long value;
    private final String detail;

    private VmExit(ExitReason reason, int port, long address, int size, long value, String detail) {
        this.reason = Objects.requireNonNull(reason, "reason");
        this.port = port;
        this.address = address;
        this.size = size;
        this.value = value;
        this.detail = detail == null ? "" : detail;
    }

    /**
     * @param port the port written
     * @param value the byte written
     * @return a one-byte {@code OUT}
     */
    public static VmExit ioOut(int port, long value) {
        return ioOut(port, 1, value);
    }

    /**
     * @param port the port written
     * @param size the access size in bytes: 1, 2 or 4
     * @param value the value written
     * @return an {@code OUT}
     */
    public static VmExit ioOut(int port, int size, long value) {
        return new VmExit(ExitReason.IO_OUT, port, 0, size, value & mask(size), null);
    }

    /**
     * An {@code IN}. The value the guest received is not part of the exit, so that expectations
     * do not depend on the device's answer; it is in the guest's registers.
     *
     * @param port the port read
     * @param size the access size in bytes: 1, 2 or 4
     * @return an {@code IN}
     */
    public static VmExit ioIn(int port, int size) {
        return new VmExit(ExitReason.IO_IN, port, 0, size, 0, null);
    }

    /**
     * @param address the guest physical address written
     * @param size the access size in bytes
     * @param value the value written
     * @return an MMIO write
     */
    public static VmExit mmioWrite(long address, int size, long value) {
        return new VmExit(ExitReason.MMIO_WRITE, 0, address, size, value & mask(size), null);
    }

    /**
     * @param address the guest physical address read
     * @param size the access size in bytes
     * @return an MMIO read
     */
    public static VmExit mmioRead(long address, int size) {
        return new VmExit(ExitReason.MMIO_READ, 0, address, size, 0, null);
    }

    /**
     * An {@code RDMSR} a test's handler served, or that took a #GP because the MSR's handlers do not
     * serve reads. As for an {@code IN}, the value read is not part of the exit.
     *
     * @param index the MSR, 0 to {@code 0xffffffff}
     * @return an MSR read
     */
    public static VmExit msrRead(long index) {
        return new VmExit(ExitReason.MSR_READ, 0, index, 8, 0, null);
    }

    /**
     * A {@code WRMSR} a test's handler served, or that took a #GP because the MSR's handlers do not
     * serve writes.
     *
     * @param index the MSR, 0 to {@code 0xffffffff}
     * @param value {@code EDX:EAX}
     * @return an MSR write
     */
    public static VmExit msrWrite(long index, long value) {
        return new VmExit(ExitReason.MSR_WRITE, 0, index, 8, value, null);
    }

    /** @return a {@code HLT} exit */
    public static VmExit hlt() {
        return new VmExit(ExitReason.HLT, 0, 0, 0, 0, null);
    }

    /** @return a shutdown (triple fault) exit */
    public static VmExit shutdown() {
        return new VmExit(ExitReason.SHUTDOWN, 0, 0, 0, 0, null);
    }

    /**
     * @param code the value written to the debug-exit port
     * @return a debug exit
     */
    public static VmExit debugExit(long code) {
        return new VmExit(ExitReason.DEBUG_EXIT, 0xf4, 0, 0, code, null);
    }

    /** @return the exit of a guest that reported {@code KVM_DONE} (port {@value GuestLibrary#PORT}) */
    public static VmExit guestDone() {
        return new VmExit(ExitReason.GUEST_DONE, GuestLibrary.PORT, 0, 0, 0, null);
    }

    /**
     * @return the exit of a guest that reported a failed assertion (port {@value GuestLibrary#PORT});
     *     a recorded one has the assertion as its {@link #detail()}
     */
    public static VmExit guestAssertionFailed() {
        return new VmExit(ExitReason.GUEST_ASSERTION_FAILED, GuestLibrary.PORT, 0, 0, 0, null);
    }

    /**
     * @param vector the interrupt vector, 0 to 255
     * @return a call of a firmware service through that vector ({@link ExitReason#INTERRUPT})
     */
    public static VmExit interrupt(int vector) {
        return new VmExit(ExitReason.INTERRUPT, 0, 0, 0, vector, null);
    }

    /**
     * @param vector the interrupt vector, 32 to 255
     * @return the vCPU taking an external interrupt ({@link ExitReason#EXTERNAL_INTERRUPT})
     */
    public static VmExit externalInterrupt(int vector) {
        return new VmExit(ExitReason.EXTERNAL_INTERRUPT, 0, 0, 0, vector, null);
    }

    /** @return the exit that marks a run stopped at its time limit */
    public static VmExit timeout() {
        return new VmExit(ExitReason.TIMEOUT, 0, 0, 0, 0, null);
    }

    /**
     * An exit that carries only a code and an explanation: a failed entry, an internal error, an
     * emulator fault, a close of the VM during the run.
     *
     * @param reason the reason
     * @param value its code (hardware reason, sub-error, exception vector)
     * @param detail what the hypervisor said about it
     * @return the exit
     */
    public static VmExit of(ExitReason reason, long value, String detail) {
        return new VmExit(reason, 0, 0, 0, value, detail);
    }

    /**
     * @param text the explanation to attach
     * @return a copy of this exit with the given {@link #detail()}
     */
    public VmExit withDetail(String text) {
        return new VmExit(reason, port, address, size, value, text);
    }

    /** @return why the vCPU exited */
    public ExitReason reason() {
        return reason;
    }

    /**
     * @return the I/O port, for {@code IO_OUT}, {@code IO_IN}, {@code DEBUG_EXIT},
     *     {@code GUEST_ASSERTION_FAILED} and {@code GUEST_DONE}; else 0
     */
    public int port() {
        return port;
    }

    /** @return the guest physical address, for MMIO exits; else 0 */
    public long address() {
        return address;
    }

    /** @return the access size in bytes, for I/O and MMIO exits; else 0 */
    public int size() {
        return size;
    }

    /**
     * @return the value written (writes), the exit code ({@code DEBUG_EXIT}), the hardware
     *     reason ({@code FAIL_ENTRY}), the sub-error ({@code INTERNAL_ERROR}), the vector
     *     ({@code INTERRUPT}, {@code EXTERNAL_INTERRUPT}) or the exception or
     *     interrupt vector, -1 for none ({@code EMULATOR_FAULT}); else 0
     */
    public long value() {
        return value;
    }

    /** @return an explanation of a fault-like exit, or the empty string */
    public String detail() {
        return detail;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VmExit that
                && reason == that.reason && port == that.port && address == that.address
                && size == that.size && value == that.value;
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, port, address, size, value);
    }

    /** @return for example {@code IO_OUT port=0x3f8 size=1 value=0x34 '4'} */
    @Override
    public String toString() {
        String text = switch (reason) {
            case IO_OUT -> String.format(Locale.ROOT, "IO_OUT port=0x%x size=%d value=0x%x%s",
                    port, size, value, printable(value, size));
            case IO_IN -> String.format(Locale.ROOT, "IO_IN port=0x%x size=%d", port, size);
            case MMIO_WRITE -> String.format(Locale.ROOT, "MMIO_WRITE address=0x%x size=%d value=0x%x",
                    address, size, value);
            case MMIO_READ -> String.format(Locale.ROOT, "MMIO_READ address=0x%x size=%d", address, size);
            case MSR_READ -> String.format(Locale.ROOT, "MSR_READ index=0x%x", address);
            case MSR_WRITE -> String.format(Locale.ROOT, "MSR_WRITE index=0x%x value=0x%x", address, value);
            case DEBUG_EXIT -> String.format(Locale.ROOT, "DEBUG_EXIT code=0x%x", value);
            case INTERRUPT, EXTERNAL_INTERRUPT -> String.format(Locale.ROOT, "%s vector=0x%02x", reason, value);
            case FAIL_ENTRY, INTERNAL_ERROR, EMULATOR_FAULT ->
                    String.format(Locale.ROOT, "%s code=0x%x", reason, value);
            default -> reason.name();
        };
        return detail.isEmpty() ? text : text + " (" + detail + ")";
    }

    private static String printable(long value, int size) {
        if (size != 1) {
            return "";
        }
        if (value >= 0x20 && value < 0x7f) {
            return " '" + (char) value + "'";
        }
        return switch ((int) value) {
            case '\n' -> " '\\n'";
            case '\r' -> " '\\r'";
            case '\t' -> " '\\t'";
            default -> "";
        };
    }

    private static long mask(int size) {
        return size >= 8 || size <= 0 ? -1L : (1L << (8 * size)) - 1;
    }
}
