package io.github.junitkvm.kvm;

import io.github.junitkvm.backend.ExitListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/** An exit listener that records every call as text and answers reads from suppliers. */
class RecordingListener implements ExitListener {
    final List<String> events = new ArrayList<>();
    private final LongSupplier portInValues;
    private final LongSupplier mmioReadValues;

    RecordingListener() {
        this(() -> 0, () -> 0);
    }

    RecordingListener(LongSupplier portInValues, LongSupplier mmioReadValues) {
        this.portInValues = portInValues;
        this.mmioReadValues = mmioReadValues;
    }

    static String outEvent(int port, int size, long value) {
        return String.format(Locale.ROOT, "out 0x%x/%d = 0x%x", port, size, value);
    }

    static String inEvent(int port, int size) {
        return String.format(Locale.ROOT, "in 0x%x/%d", port, size);
    }

    static String mmioReadEvent(long address, int size) {
        return String.format(Locale.ROOT, "mmio read 0x%x/%d", address, size);
    }

    static String mmioWriteEvent(long address, int size, long value) {
        return String.format(Locale.ROOT, "mmio write 0x%x/%d = 0x%x", address, size, value);
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
}
