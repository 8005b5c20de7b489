package io.github.junitkvm.emulator.worker;

/** A delivery the emulator cannot do as the CPU would; the run stops with {@code EMULATOR_FAULT}. */
final class UndeliverableEvent extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param reason why, in words */
    UndeliverableEvent(String reason) {
        super(reason, null, false, false);
    }
}
