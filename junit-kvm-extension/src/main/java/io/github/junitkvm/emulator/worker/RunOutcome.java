package io.github.junitkvm.emulator.worker;

/**
 * Everything known when {@code uc_emu_start} has returned, gathered so that
 * {@link StopClassifier} can decide why without touching the engine.
 *
 * @param state what the hooks recorded
 * @param error the {@code uc_err} of {@code uc_emu_start}
 * @param errorText {@code uc_strerror(error)}, empty for {@code UC_ERR_OK}
 * @param stopRequested whether the parent asked this run to stop
 * @param timedOut whether Unicorn reports a timeout
 * @param cs the CS selector at the stop
 * @param ip the instruction pointer at the stop
 * @param linearIp the linear address CS:IP stands for (selector × 16 + IP in real mode, the
 *     code segment's base + EIP in 32-bit mode, RIP in 64-bit mode)
 * @param byteBeforeIp the byte before linear CS:IP, or -1 if that is not RAM
 * @param codeAtIp a few bytes at linear CS:IP, or null if they are not RAM
 */
record RunOutcome(RunState state, int error, String errorText, boolean stopRequested, boolean timedOut,
                  int cs, long ip, long linearIp, int byteBeforeIp, byte[] codeAtIp) {
}
