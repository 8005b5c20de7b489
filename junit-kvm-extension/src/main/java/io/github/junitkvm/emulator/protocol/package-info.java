/**
 * The binary protocol between the test JVM and an emulator worker process: the messages, and their
 * encoding on the worker's stdin and stdout.
 *
 * <p>The parent sends requests; the worker answers each with exactly one reply, except
 * {@link io.github.junitkvm.emulator.protocol.Message.Run}, whose reply
 * ({@link io.github.junitkvm.emulator.protocol.Message.Stopped}) is preceded by the exits of the
 * run, and {@link io.github.junitkvm.emulator.protocol.Message.Stop} and
 * {@link io.github.junitkvm.emulator.protocol.Message.Answer}, which get none. Exits that need a
 * value ({@code IN}, MMIO reads) wait for an {@code Answer}; the others are streamed without one.
 */
package io.github.junitkvm.emulator.protocol;
