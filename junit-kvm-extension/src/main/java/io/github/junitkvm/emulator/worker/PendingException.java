package io.github.junitkvm.emulator.worker;

/**
 * What the CPU recorded for the exception Unicorn's interrupt hook is called for
 * ({@link CpuState#takePendingException()}).
 *
 * @param software whether an {@code INT n}, {@code INT3} or {@code INTO} raised the vector
 * @param errorCode the error code the CPU computed, for the exceptions that push one
 */
record PendingException(boolean software, int errorCode) {
}
