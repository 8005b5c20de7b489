package io.github.junitkvm.testsupport;

import io.github.junitkvm.backend.ExitListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * An exit listener for the backends' own tests: records every call as text, in order, and answers
 * reads from suppliers.
 */
public class RecordingListener implements ExitListener {
    /** Every call so far, as the {@code ...Event} methods write them. */
    public final List<String> events = new ArrayList<>();
    private final LongSupplier portInValues;
    private final LongSupplier mmioReadValues;

    /** Answers every read with 0. */
    public RecordingListener() {
        this(() -> 0);
    }

    /** @param answers supplies the value of every port and MMIO read */
    public RecordingListener(LongSupplier answers) {
        this(answers, answers);
    }

    /**
     * @param portInValues supplies the value of every port read
     * @param mmioReadValues supplies the value of every MMIO read
     */
    public RecordingListener(LongSupplier portInValues, LongSupplier mmioReadValues) {
        this.portInValues = portInValues;
        this.mmioReadValues = mmioReadValues;
    }

    /** @return how a call is recorded */
    public static String outEvent(int port, int size, long value) {
        return String.format(Locale.ROOT, "out 0x%x/%d = 0x%x", port, size, value);
    }

    /** @return how a call is recorded */
    public static String inEvent(int port, int size) {
        return String.format(Locale.ROOT, "in 0x%x/%d", port, size);
    }

    /** @return how a call is recorded */
    public static String mmioReadEvent(long address, int size) {
        return String.format(Locale.ROOT, "mmio read 0x%x/%d", address, size);
    }

    /** @return how a call is recorded */
    public static String mmioWriteEvent(long address, int size, long value) {
        return String.format(Locale.ROOT, "mmio write 0x%x/%d = 0x%x", address, size, value);
    }

    /** @return no port: this listener acts on nothing, so every {@code OUT} may be streamed */
    @Override
    public Set<Integer> observedPorts() {
        return Set.of();
    }

    @Override
    public long portIn(int port, int size) {
        events.add(inEvent(port, size));
        return portInValues.getAsLong();
    }

    @Override
    public void portOut(int port, int size, long value) {
        events.add(outEvent(port, size, value));
    }

    @Override
    public long mmioRead(long address, int size) {
        events.add(mmioReadEvent(address, size));
        return mmioReadValues.getAsLong();
    }

    @Override
    public void mmioWrite(long address, int size, long value) {
        events.add(mmioWriteEvent(address, size, value));
    }

    /** @return nothing: these tests never assert the interrupt line */
    @Override
    public int acknowledgeInterrupt() {
        events.add("acknowledge interrupt");
        return -1;
    }

    /** @return how a call is recorded */
    public static String msrReadEvent(long index) {
        return String.format(Locale.ROOT, "rdmsr 0x%x", index);
    }

    /** @return how a call is recorded */
    public static String msrWriteEvent(long index, long value) {
        return String.format(Locale.ROOT, "wrmsr 0x%x = 0x%x", index, value);
    }

    /** @return no MSR: the backend keeps every one it implements */
    @Override
    public Set<Long> routedMsrs() {
        return Set.of();
    }

    /** @return none: the guest gets a #GP */
    @Override
    public Long msrRead(long index) {
        events.add(msrReadEvent(index));
        return null;
    }

    /** @return false: the guest gets a #GP */
    @Override
    public boolean msrWrite(long index, long value) {
        events.add(msrWriteEvent(index, value));
        return false;
    }
}
