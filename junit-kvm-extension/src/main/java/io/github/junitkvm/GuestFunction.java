package io.github.junitkvm;

import java.time.Duration;

/**
 * A function in the guest, called the way compiled code calls it: the System V AMD64 convention in
 * {@link CpuMode#LONG} mode, cdecl in {@link CpuMode#PROTECTED} and {@link CpuMode#PAGED}. From
 * {@link KvmVm#function(String)} (by its symbol) or {@link KvmVm#functionAt(long)}.
 *
 * <p>Each call is one run of the VM from the function's first instruction to its return, with
 * integer and pointer arguments: in {@code LONG} mode the first six in RDI, RSI, RDX, RCX, R8 and
 * R9 and the rest on the stack, in cdecl all on the stack, one 32-bit slot each. The stack is the
 * extension's call stack, 16-byte aligned at the call as both ABIs require, and the return address
 * points at a {@code hlt} the extension placed: a normal return ends the run there. A call that
 * faults, hangs past its time limit, stops anywhere else, returns with its stack unbalanced or with
 * a callee-saved register changed throws {@link GuestCallError} carrying the run's report. The VM
 * is then ready for the next call: every call starts from fresh registers.
 */
public interface GuestFunction {
    /** @return the function's symbol, or its address in hex for {@link KvmVm#functionAt(long)} */
    String name();

    /** @return the guest physical address of its first instruction */
    long address();

    /** @return the time limit of each call: the VM's {@link KvmGuest#timeoutMillis()} unless set */
    Duration timeout();

    /**
     * @param timeout the wall-clock limit of each call, positive
     * @return this function with that limit
     */
    GuestFunction withTimeout(Duration timeout);

    /**
     * Calls the function and waits for its return.
     *
     * @param arguments integer and pointer arguments, in order; in cdecl each must fit 32 bits
     *     (signed or unsigned), and a 64-bit argument is passed as two: low half first
     * @return what it returned
     * @throws GuestCallError if it did not return normally; the message has the run's report
     * @throws IllegalArgumentException if a cdecl argument does not fit 32 bits, or the arguments
     *     do not fit the call stack
     * @throws IllegalStateException if the VM is running (a handler called it) or closed
     */
    CallResult call(long... arguments);
}
