package io.github.junitkvm.emulator;

/** The worker process ended, or its stream broke; the message says how, with its last words. */
final class WorkerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message how the worker died */
    WorkerDiedException(String message) {
        super(message);
    }
}
