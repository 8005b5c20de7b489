package io.github.junitkvm.guest;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The interrupts the test raised ({@code KvmVm.raiseInterrupt}): each vector waits until the vCPU
 * takes it, in the order raised. A vector raised again while it waits is not queued twice: like a
 * bit of an APIC's request register, it is one pending request, so the queue never holds more
 * than the 224 interrupt vectors.
 */
final class QueuedInterrupts implements InterruptController {
    private final Set<Integer> pending = new LinkedHashSet<>();
    private InterruptPin pin;

    /** @param pin the pin this queue drives, told of every change */
    void wireTo(InterruptPin pin) {
        this.pin = pin;
        pin.attach(this);
    }

    /** @param vector the vector to raise, 32 to 255 */
    void raise(int vector) {
        synchronized (this) {
            pending.add(vector);
        }
        pin.outputChanged();
    }

    @Override
    public synchronized boolean requesting() {
        return !pending.isEmpty();
    }

    @Override
    public int acknowledge() {
        synchronized (this) {
            if (pending.isEmpty()) {
                return -1;
            }
            int vector = pending.iterator().next();
            pending.remove(vector);
            return vector;
        }
    }
}
