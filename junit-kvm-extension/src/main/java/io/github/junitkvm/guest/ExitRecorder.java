package io.github.junitkvm.guest;

import io.github.junitkvm.GuestAssertion;
import io.github.junitkvm.GuestText;
import io.github.junitkvm.MsrReadHandler;
import io.github.junitkvm.MsrWriteHandler;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.backend.ExitListener;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The listener of one run: records every exit and every byte written to a port, up to its
 * {@link RecordingLimits} (counting what it drops past them), and passes each access on to the
 * {@link Devices}; keeps what the guest library reported (the {@link GuestLog}, a failed
 * assertion).
 *
 * <p>A test's handler that throws must not leave a backend half-way through an exit, so the
 * failure is kept, the guest gets all ones, and the run is asked to stop; {@link GuestVm} rethrows
 * it once the run has returned.
 */
final class ExitRecorder implements ExitListener {
    /**
     * How many characters of a log line its exit's detail shows: the line is in the guest log, and
     * a second copy of every line would double what a chatty guest costs.
     */
    static final int LOG_LINE_SHOWN = 100;
    /** The detail of a log exit whose line the guest log did not keep. */
    static final String LOG_LINE_NOT_RECORDED = "KVM_LOG, line not recorded";
    /** How the detail of an MSR exit that raised #GP in the guest begins. */
    static final String GENERAL_PROTECTION = "#GP";

    private final Devices devices;
    /** Each vCPU's pin, by index: an acknowledge cycle is the pin's of the vCPU that takes the interrupt. */
    private final List<InterruptPin> interruptPins;
    private final RecordingLimits limits;
    private final Runnable stopRun;
    private final List<VmExit> exits = new ArrayList<>();
    /** The vCPU of each exit in {@link #exits}, by position. */
    private final List<Integer> exitVcpus = new ArrayList<>();
    /** The vCPU whose exit is being handled. */
    private int vcpu;
    private final Map<Integer, ByteArrayOutputStream> portOutput = new HashMap<>();
    private final Map<Integer, Long> droppedOutput = new HashMap<>();
    /** Bytes kept in {@link #portOutput}, all ports together. */
    private long keptPortOutput;
    private final ByteArrayOutputStream serialOutput = new ByteArrayOutputStream();
    private final ByteArrayOutputStream screenOutput = new ByteArrayOutputStream();
    private long droppedExits;
    private final GuestLog guestLog;
    private GuestAssertion guestAssertionFailure;
    /** What a test's handler threw, checked exceptions too (Kotlin and sneaky throws make them). */
    private Throwable handlerFailure;

    ExitRecorder(Devices devices, List<InterruptPin> interruptPins, RecordingLimits limits, Runnable stopRun) {
        this.devices = devices;
        this.interruptPins = interruptPins;
        this.limits = limits;
        this.stopRun = stopRun;
        this.guestLog = new GuestLog(limits);
    }

    @Override
    public Set<Integer> observedPorts() {
        return devices.observedPorts();
    }

    @Override
    public long portIn(int port, int size) {
        record(VmExit.ioIn(port, size));
        return served(() -> devices.portIn(port, size), size);
    }

    @Override
    public void portOut(int port, int size, long value) {
        if (devices.mayBeFirmwareCall(port) && servedAsFirmwareCall()) {
            return;
        }
        // The serial output is the transmitted bytes of COM1's kept output, so no budget of its own.
        if (recordOut(VmExit.ioOut(port, size, value)) > 0 && devices.isSerialTransmit(port)) {
            serialOutput.write((int) value);
        }
        served(() -> {
            devices.portOut(port, size, value);
            return 0;
        }, size);
    }

    /**
     * Serves a write to the firmware's trap port as the call of an interrupt service it is, if it
     * came from a firmware entry point; the call is recorded as an {@code INTERRUPT} exit instead
     * of the {@code OUT} that made it.
     *
     * @return whether it was a call (a service that threw ended it too: the run stops)
     */
    private boolean servedAsFirmwareCall() {
        return served(() -> devices.serveFirmwareCall(this::record) ? 1 : 0, 1) != 0;
    }

    /**
     * Keeps a character the guest printed through the BIOS, while the screen output is within the
     * output limit.
     *
     * @param character the character, 0 to 255
     */
    void printed(int character) {
        if (screenOutput.size() < limits.maxOutputBytes()) {
            screenOutput.write(character);
        }
    }

    byte[] screenOutput() {
        return screenOutput.toByteArray();
    }

    /**
     * The guest library logged a line: kept in the guest log while its limits allow, and recorded
     * as the {@code OUT} it was, with the line's beginning as its detail.
     *
     * @param port the report port
     * @param size the {@code OUT}'s size
     * @param address the report's address, the value written
     * @param line the formatted line
     */
    void guestLogged(int port, int size, long address, String line) {
        String detail = LOG_LINE_NOT_RECORDED;
        if (guestLog.add(line)) {
            String shown = line.length() > LOG_LINE_SHOWN ? line.substring(0, LOG_LINE_SHOWN) + GuestFormat.CUT : line;
            detail = "KVM_LOG \"" + GuestText.literal(shown) + "\"";
        }
        recordOut(VmExit.ioOut(port, size, address).withDetail(detail));
    }

    /** @param assertion the failed guest assertion that ends the run */
    void guestAssertionFailed(GuestAssertion assertion) {
        guestAssertionFailure = assertion;
    }

    /**
     * Keeps the bytes of an {@code OUT} while the output of all ports together is within the
     * limit: a limit per port would let a guest that writes to each of the 65536 ports keep 65536
     * times as much.
     *
     * @return how many of its bytes, the low ones, were kept
     */
    private int recordOut(VmExit exit) {
        record(exit);
        int kept = (int) Math.min(exit.size(), limits.maxOutputBytes() - keptPortOutput);
        if (kept > 0) {
            ByteArrayOutputStream bytes = portOutput.computeIfAbsent(exit.port(), p -> new ByteArrayOutputStream());
            for (int i = 0; i < kept; i++) {
                bytes.write((int) (exit.value() >>> (8 * i)));
            }
            keptPortOutput += kept;
        }
        if (kept < exit.size()) {
            droppedOutput.merge(exit.port(), (long) (exit.size() - kept), Long::sum);
        }
        return kept;
    }

    @Override
    public long mmioRead(long address, int size) {
        record(VmExit.mmioRead(address, size));
        return served(() -> devices.mmioRead(address, size), size);
    }

    @Override
    public void mmioWrite(long address, int size, long value) {
        record(VmExit.mmioWrite(address, size, value));
        served(() -> {
            devices.mmioWrite(address, size, value);
            return 0;
        }, size);
    }

    /**
     * The vCPU takes an interrupt: its pin's controllers give the vector, and the delivery is
     * recorded. A controller that throws fails the run as a handler does; nothing is delivered.
     */
    @Override
    public int acknowledgeInterrupt() {
        int vector = (int) served(interruptPins.get(vcpu)::acknowledge, 4);
        if (handlerFailed() || vector < 0) {
            return -1;
        }
        record(VmExit.externalInterrupt(vector));
        return vector;
    }

    @Override
    public Set<Long> routedMsrs() {
        return devices.routedMsrs();
    }

    /**
     * {@inheritDoc} An MSR no handler of the test serves in either direction is the backend's,
     * which does not implement it: #GP, and no exit, as the backend's own #GPs are not exits.
     */
    @Override
    public Long msrRead(long index) {
        MsrReadHandler handler = devices.msrReader(index);
        if (handler == null) {
            if (devices.msrWriter(index) != null) {
                record(VmExit.msrRead(index).withDetail(GENERAL_PROTECTION + ": the MSR's handler serves writes only"));
            }
            return null;
        }
        record(VmExit.msrRead(index));
        return served(() -> handler.read(index), Long.BYTES);
    }

    @Override
    public boolean msrWrite(long index, long value) {
        MsrWriteHandler handler = devices.msrWriter(index);
        if (handler == null) {
            if (devices.msrReader(index) != null) {
                record(VmExit.msrWrite(index, value).withDetail(GENERAL_PROTECTION + ": the MSR's handler serves reads only"));
            }
            return false;
        }
        record(VmExit.msrWrite(index, value));
        served(() -> {
            handler.write(index, value);
            return 0;
        }, Long.BYTES);
        return true;
    }

    /** @param exit the exit that stopped the run, recorded last whatever the limit */
    void stoppedBy(VmExit exit) {
        exits.add(exit);
        exitVcpus.add(vcpu);
    }

    /**
     * The exits that follow are those of this vCPU, until another is named.
     *
     * @param vcpu the vCPU's index
     */
    void vcpu(int vcpu) {
        this.vcpu = vcpu;
    }

    private void record(VmExit exit) {
        if (exits.size() < limits.maxExits()) {
            exits.add(exit);
            exitVcpus.add(vcpu);
        } else {
            droppedExits++;
        }
    }

    List<VmExit> exits() {
        return List.copyOf(exits);
    }

    /**
     * @param vcpu a vCPU's index
     * @return the exits of that vCPU that {@link #exits()} holds, in order
     */
    List<VmExit> exitsOf(int vcpu) {
        List<VmExit> of = new ArrayList<>();
        for (int i = 0; i < exits.size(); i++) {
            if (exitVcpus.get(i) == vcpu) {
                of.add(exits.get(i));
            }
        }
        return List.copyOf(of);
    }

    Map<Integer, byte[]> portOutput() {
        Map<Integer, byte[]> copy = new HashMap<>();
        portOutput.forEach((port, bytes) -> copy.put(port, bytes.toByteArray()));
        return copy;
    }

    byte[] serialOutput() {
        return serialOutput.toByteArray();
    }

    long droppedExits() {
        return droppedExits;
    }

    Map<Integer, Long> droppedOutput() {
        return Map.copyOf(droppedOutput);
    }

    List<String> guestLog() {
        return guestLog.lines();
    }

    long droppedGuestLogLines() {
        return guestLog.dropped();
    }

    Optional<GuestAssertion> guestAssertionFailure() {
        return Optional.ofNullable(guestAssertionFailure);
    }

    /** @return whether a test's handler threw, so that the run must not go on */
    boolean handlerFailed() {
        return handlerFailure != null;
    }

    /** Rethrows what a test's handler threw during the run, if anything, as it was thrown. */
    void rethrowHandlerFailure() {
        if (handlerFailure != null) {
            throw Sneaky.<RuntimeException>rethrow(handlerFailure);
        }
    }

    private long served(Access access, int size) {
        if (handlerFailure != null) {
            return Devices.allOnes(size);
        }
        try {
            return access.perform();
        } catch (Throwable e) {
            handlerFailure = e;
        }
        stopRun.run();
        return Devices.allOnes(size);
    }

    /** A device or handler access that may throw. */
    @FunctionalInterface
    private interface Access {
        long perform();
    }

    /** Lets a checked exception that a handler threw past the compiler leave the run unchanged. */
    private static final class Sneaky {
        private Sneaky() {
        }

        @SuppressWarnings("unchecked")
        static <T extends Throwable> T rethrow(Throwable failure) throws T {
            throw (T) failure;
        }
    }
}
