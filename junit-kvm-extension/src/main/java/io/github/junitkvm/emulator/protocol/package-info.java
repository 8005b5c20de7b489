/**
 * The binary protocol between the test JVM and an emulator worker process.
 *
 * <p>The parent sends {@link io.github.junitkvm.emulator.protocol.MachineCall}s, one record per
 * method of the backend interface, which the worker invokes on its machine and answers with one
 * {@link io.github.junitkvm.emulator.protocol.Message.Reply}; a call that returns nothing may be
 * {@linkplain io.github.junitkvm.emulator.protocol.Message.Post posted} instead, without a reply,
 * its failure answering the next request. During a run the worker sends the
 * run's exits as {@link io.github.junitkvm.emulator.protocol.ExitCall}s of the parent's listener;
 * those at which the guest waits get a reply, and meanwhile the parent may call the machine again,
 * as a handler does. {@link io.github.junitkvm.emulator.protocol.Message.Stop} comes out of turn and
 * gets no reply. One codec, derived from the records themselves, encodes it all.
 */
package io.github.junitkvm.emulator.protocol;
