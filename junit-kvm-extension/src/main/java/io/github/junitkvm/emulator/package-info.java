/**
 * The EMULATOR backend: {@link io.github.junitkvm.emulator.EmulatorHypervisor} and the machines it
 * creates, each served by a worker process from a pool.
 *
 * <p>Unicorn never loads in this JVM. A machine leases a worker (a second JVM running
 * {@code io.github.junitkvm.emulator.worker.WorkerMain}) for its lifetime and drives it with the
 * messages of {@code io.github.junitkvm.emulator.protocol}; on close the worker discards its engine
 * and returns to the pool. A worker that dies (Unicorn aborts on some guest code) fails only the
 * machine it served, with the worker's last words, and the next machine gets a fresh one.
 */
package io.github.junitkvm.emulator;
