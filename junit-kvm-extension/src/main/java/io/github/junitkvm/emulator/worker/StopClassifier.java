package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.StopCause.Kind;
import io.github.junitkvm.emulator.unicorn.UnicornConstants;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides why a run stopped. Unicorn reports HLT, a triple fault and a stop the same way
 * ({@code uc_emu_start} returns {@code UC_ERR_OK}), so the decision combines what the hooks saw,
 * whether a stop was requested, and the instruction before the stop.
 */
final class StopClassifier {
    private static final int HLT = 0xf4;
    private static final int INVALID_OPCODE = 6;
    /** Vectors below are the CPU's exceptions (or reserved for them). */
    private static final int FIRST_INTERRUPT = 32;
    private static final long REAL_MODE_LIMIT = 0xffff;

    private StopClassifier() {
    }

    /**
     * In order: a stop-port write, a CPU exception or software interrupt, an emulator error, a
     * requested stop, {@code HLT} (the byte before CS:IP is {@code 0xF4}); anything else is taken
     * for a shutdown.
     *
     * @param outcome what is known after the run
     * @return the stop cause
     */
    static StopCause classify(RunOutcome outcome) {
        RunState state = outcome.state();
        if (state.stopPortWrite() != null) {
            return state.stopPortWrite();
        }
        if (state.shutdown() != null) {
            return StopCause.fault(Kind.SHUTDOWN, 0, String.format(Locale.ROOT,
                    "%s; the vCPU stopped at %s", state.shutdown(), where(outcome)));
        }
        if (state.vector() >= 0) {
            return StopCause.fault(Kind.EMULATOR_FAULT, state.vector(), vector(outcome));
        }
        String access = state.unmappedAccess() == null ? "" : ": " + state.unmappedAccess();
        if (UnicornConstants.isFetchError(outcome.error())) {
            // KVM cannot run code from outside RAM either, and says so with this sub-error.
            return StopCause.fault(Kind.INTERNAL_ERROR, StopCause.UNEMULATED_INSTRUCTION, String.format(Locale.ROOT,
                    "code fetched from outside RAM, which no backend runs (Unicorn's error %d, %s%s; KVM's"
                            + " KVM_INTERNAL_ERROR_EMULATION), at %s", outcome.error(), outcome.errorText(), access,
                    where(outcome)));
        }
        if (outcome.error() != UnicornConstants.UC_ERR_OK) {
            return StopCause.fault(Kind.EMULATOR_FAULT,
                    outcome.error() == UnicornConstants.UC_ERR_INSN_INVALID ? INVALID_OPCODE : -1,
                    String.format(Locale.ROOT, "Unicorn stopped with error %d (%s)%s, at %s%s", outcome.error(),
                            outcome.errorText(), access, where(outcome), notEmulated(outcome)));
        }
        if (outcome.stopRequested()) {
            return StopCause.stopRequested();
        }
        if (!outcome.timedOut() && outcome.byteBeforeIp() == HLT) {
            return StopCause.hlt();
        }
        return StopCause.fault(Kind.SHUTDOWN, 0, String.format(Locale.ROOT,
                "the emulator stopped at %s without HLT, a stop-port write, a CPU exception or interrupt, an"
                        + " error or a stop request%s. Unicorn 2.0.1 ends a run this way on a triple fault (an"
                        + " exception while delivering a double fault), so this is taken for a shutdown",
                where(outcome), outcome.timedOut() ? " (Unicorn reports a timeout, but none was set)" : ""));
    }

    /**
     * A software interrupt when the instruction before EIP raises the vector by itself (the run then
     * stopped after it), else a CPU exception (or, from 32 on, an interrupt).
     */
    private static String vector(RunOutcome outcome) {
        int vector = outcome.state().vector();
        Optional<String> instruction = InterruptInstruction.endingWith(outcome.codeBeforeVector(), vector,
                outcome.kind() == EngineKind.SIXTY_FOUR_BIT);
        if (instruction.isPresent()) {
            return String.format(Locale.ROOT, "software interrupt %s (vector %d), the instruction before %s; %s",
                    instruction.get(), vector, where(outcome), undelivered(outcome));
        }
        boolean exception = vector < FIRST_INTERRUPT;
        return String.format(Locale.ROOT, "%s%s (vector %d) at %s; %s", exception ? "CPU exception " : "",
                CpuExceptions.name(vector), vector, where(outcome), undelivered(outcome));
    }

    private static String undelivered(RunOutcome outcome) {
        String reason = outcome.state().undelivered();
        return "the emulator could not deliver it through the guest's interrupt table"
                + (reason == null ? "" : ": " + reason);
    }

    /** Says what an instruction Unicorn takes for invalid is, where a CPU runs it. */
    private static String notEmulated(RunOutcome outcome) {
        if (outcome.error() == UnicornConstants.UC_ERR_INSN_INVALID
                && InterruptInstruction.isInt1(outcome.codeAtIp())) {
            return "; this is INT1 (ICEBP), which Unicorn 2.0.1 does not emulate: a CPU raises #DB (vector 1)";
        }
        return "";
    }

    /**
     * CS and the instruction pointer by the name the engine gives it, and the linear address. A
     * 16-bit code's EIP beyond 0xffff is named as such: Unicorn lets real-mode code run on past
     * the end of its 64 KiB segment, where a CPU raises #GP.
     */
    private static String where(RunOutcome outcome) {
        StringBuilder text = new StringBuilder(switch (outcome.kind()) {
            case SIXTEEN_BIT -> outcome.ip() <= REAL_MODE_LIMIT
                    ? String.format(Locale.ROOT, "CS:IP %04x:%04x (linear 0x%x)", outcome.cs(), outcome.ip(),
                            outcome.linearIp())
                    : String.format(Locale.ROOT, "CS:EIP %04x:%08x (linear 0x%x; EIP is past 0xffff, the end of"
                            + " the real-mode code segment: Unicorn runs on there, where a CPU raises #GP)",
                            outcome.cs(), outcome.ip(), outcome.linearIp());
            case THIRTY_TWO_BIT -> String.format(Locale.ROOT, "CS:EIP %04x:%08x (linear 0x%x)", outcome.cs(),
                    outcome.ip(), outcome.linearIp());
            case SIXTY_FOUR_BIT -> String.format(Locale.ROOT, "CS:RIP %04x:%016x", outcome.cs(), outcome.ip());
        });
        if (outcome.codeAtIp() != null) {
            text.append(", code there:");
            for (byte b : outcome.codeAtIp()) {
                text.append(String.format(Locale.ROOT, " %02x", b & 0xff));
            }
        }
        return text.toString();
    }
}
