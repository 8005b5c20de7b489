package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.StopCause.Kind;
import io.github.junitkvm.emulator.unicorn.UnicornConstants;
import java.util.Locale;

/**
 * Decides why a run stopped. Unicorn reports HLT, a triple fault and a stop the same way
 * ({@code uc_emu_start} returns {@code UC_ERR_OK}), so the decision combines what the hooks saw,
 * whether a stop was requested, and the instruction before the stop.
 */
final class StopClassifier {
    private static final int HLT = 0xf4;
    private static final int INVALID_OPCODE = 6;

    private StopClassifier() {
    }

    /**
     * In order: a stop-port write, a CPU exception, an emulator error, a requested stop, {@code HLT}
     * (the byte before CS:IP is {@code 0xF4}); anything else is taken for a shutdown.
     *
     * @param outcome what is known after the run
     * @return the stop cause
     */
    static StopCause classify(RunOutcome outcome) {
        RunState state = outcome.state();
        if (state.stopPortWrite() != null) {
            return state.stopPortWrite();
        }
        if (state.vector() >= 0) {
            return StopCause.fault(Kind.EMULATOR_FAULT, state.vector(), String.format(Locale.ROOT,
                    "%s %s (vector %d) at %s (after the instruction for INT n and INT3, at it for"
                            + " faults); the emulator does not deliver exceptions or interrupts through the"
                            + " guest's interrupt table",
                    state.vector() < 32 ? "CPU exception" : "software", CpuExceptions.name(state.vector()),
                    state.vector(), where(outcome)));
        }
        if (outcome.error() != UnicornConstants.UC_ERR_OK) {
            String access = state.unmappedAccess() == null ? "" : ": " + state.unmappedAccess();
            return StopCause.fault(Kind.EMULATOR_FAULT,
                    outcome.error() == UnicornConstants.UC_ERR_INSN_INVALID ? INVALID_OPCODE : -1,
                    String.format(Locale.ROOT, "Unicorn stopped with error %d (%s)%s, at %s", outcome.error(),
                            outcome.errorText(), access, where(outcome)));
        }
        if (outcome.stopRequested()) {
            return StopCause.stopRequested();
        }
        if (!outcome.timedOut() && outcome.byteBeforeIp() == HLT) {
            return StopCause.hlt();
        }
        return StopCause.fault(Kind.SHUTDOWN, 0, String.format(Locale.ROOT,
                "the emulator stopped at %s without HLT, a stop-port write, a CPU exception, an error or a"
                        + " stop request%s. Unicorn 2.0.1 ends a run this way on a triple fault (an exception"
                        + " while delivering a double fault), so this is taken for a shutdown",
                where(outcome), outcome.timedOut() ? " (Unicorn reports a timeout, but none was set)" : ""));
    }

    private static String where(RunOutcome outcome) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "CS:IP %04x:%04x (linear 0x%x)",
                outcome.cs(), outcome.ip(), outcome.linearIp()));
        if (outcome.codeAtIp() != null) {
            text.append(", code there:");
            for (byte b : outcome.codeAtIp()) {
                text.append(String.format(Locale.ROOT, " %02x", b & 0xff));
            }
        }
        return text.toString();
    }
}
