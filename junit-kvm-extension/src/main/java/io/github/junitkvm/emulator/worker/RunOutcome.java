package io.github.junitkvm.emulator.worker;

/**
 * Everything known when {@code uc_emu_start} has returned, gathered so that
 * {@link StopClassifier} can decide why without touching the engine.
 *
 * @param state what the hooks recorded
 * @param kind the width of the code at the stop, which names the instruction pointer (IP, EIP or RIP)
 * @param error the {@code uc_err} of {@code uc_emu_start}
 * @param errorText {@code uc_strerror(error)}, empty for {@code UC_ERR_OK}
 * @param stopRequested whether the parent asked this run to stop
 * @param timedOut whether Unicorn reports a timeout
 * @param cs the CS selector at the stop
 * @param ip the instruction pointer at the stop (RIP; EIP and IP are its low bits)
 * @param linearIp the linear address CS:IP stands for (selector × 16 + EIP in real mode, the
 *     code segment's base + EIP in 32-bit mode, RIP in 64-bit mode)
 * @param byteBeforeIp the byte before linear CS:IP, or -1 if that is not RAM
 * @param codeAtIp a few bytes at linear CS:IP, or null if they are not RAM
 * @param codeBeforeVector the bytes, up to {@link InterruptInstruction#LONGEST}, that end where EIP
 *     was when the run's vector was raised ({@link RunState#vectorAddress()}), as far as they are
 *     RAM; null without a vector or RAM there
 */
record RunOutcome(RunState state, EngineKind kind, int error, String errorText, boolean stopRequested,
                  boolean timedOut, int cs, long ip, long linearIp, int byteBeforeIp, byte[] codeAtIp,
                  byte[] codeBeforeVector) {
}
