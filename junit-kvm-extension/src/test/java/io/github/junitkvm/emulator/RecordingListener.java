package io.github.junitkvm.emulator;

import io.github.junitkvm.backend.ExitListener;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** Records the exits of a run as readable strings and answers reads with a fixed value. */
class RecordingListener implements ExitListener {
    final List<String> exits = new ArrayList<>();
    private final LongSupplier answers;

    RecordingListener() {
        this(() -> 0);
    }

    RecordingListener(LongSupplier answers) {
        this.answers = answers;
    }

    static String outEvent(int port, int size, long value) {
        return String.format("out 0x%x/%d 0x%x", port, size, value);
    }

    static String inEvent(int port, int size) {
        return String.format("in 0x%x/%d", port, size);
    }

    static String mmioWriteEvent(long address, int size, long value) {
        return String.format("mmio-write 0x%x/%d 0x%x", address, size, value);
    }

    static String mmioReadEvent(long address, int size) {
        return String.format("mmio-read 0x%x/%d", address, size);
    }

    @Override
    public long portIn(int port, int size) {
        exits.add(inEvent(port, size));
        return answers.getAsLong();
    }

    @Override
    public void portOut(int port, int size, long value) {
        exits.add(outEvent(port, size, value));
    }

    @Override
    public long mmioRead(long address, int size) {
        exits.add(mmioReadEvent(address, size));
        return answers.getAsLong();
    }

    @Override
    public void mmioWrite(long address, int size, long value) {
        exits.add(mmioWriteEvent(address, size, value));
    }
}
