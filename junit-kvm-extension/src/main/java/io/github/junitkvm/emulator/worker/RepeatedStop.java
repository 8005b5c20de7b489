package io.github.junitkvm.emulator.worker;

import java.util.function.Supplier;

/**
 * A daemon thread that calls a stop action of the emulator whenever its owner wants one, and again
 * every few milliseconds while the owner still does, because Unicorn forgets a {@code uc_emu_stop}
 * that lands just before {@code uc_emu_start} has reset its state. The thread holds the owner's
 * lock while it looks and while it calls the action, so the owner decides under its own lock when
 * an action may run; the owner calls {@code notifyAll()} when it wants one.
 */
final class RepeatedStop {
    /** How long to wait before repeating a stop that has not taken effect. */
    private static final long RETRY_MILLIS = 2;

    private RepeatedStop() {
    }

    /**
     * @param owner the object whose lock guards what {@code due} reads
     * @param due the action to call now, or null while none is wanted; asked under the owner's lock
     * @param name the thread's name
     */
    static void start(Object owner, Supplier<Runnable> due, String name) {
        Thread thread = new Thread(() -> deliver(owner, due), name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void deliver(Object owner, Supplier<Runnable> due) {
        synchronized (owner) {
            try {
                while (true) {
                    Runnable action = due.get();
                    if (action == null) {
                        owner.wait();
                    } else {
                        action.run();
                        owner.wait(RETRY_MILLIS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
