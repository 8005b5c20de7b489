/**
 * The emulator worker: a separate JVM that loads Unicorn, hosts one machine at a time and serves
 * the test JVM over its stdin and stdout (see {@code io.github.junitkvm.emulator.protocol}).
 *
 * <p>Unicorn lives here and nowhere else because libunicorn 2.0.1 calls {@code abort()} on some
 * guest code; when that happens only this process dies, and the test JVM reports the worker's last
 * words. The worker exits as soon as its stdin closes, so it never outlives its parent.
 */
package io.github.junitkvm.emulator.worker;
