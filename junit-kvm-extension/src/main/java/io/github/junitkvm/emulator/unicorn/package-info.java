/**
 * The JNA binding of the Unicorn 2 CPU emulator ({@code libunicorn.so.2}): the C functions the
 * emulator backend calls, the constants and struct layouts of {@code unicorn/unicorn.h} and
 * {@code unicorn/x86.h} it needs, and the callback shapes of its hooks.
 *
 * <p>Only the worker process loads this library (see {@code io.github.junitkvm.emulator.worker}):
 * Unicorn 2.0.1 calls {@code abort()} on some guest code, which must not kill the JVM that runs the
 * tests. The binding targets 64-bit Linux, where {@code size_t} and {@code uc_hook} are 64 bits wide.
 */
package io.github.junitkvm.emulator.unicorn;
