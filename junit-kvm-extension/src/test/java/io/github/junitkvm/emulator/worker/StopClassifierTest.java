package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.StopCause.Kind;
import io.github.junitkvm.emulator.unicorn.UnicornConstants;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StopClassifierTest {
    private final RunState state = new RunState(Set.of(0xf4), 0);

    @Test
    void takesAnOkReturnAfterHltForHlt() {
        assertThat(StopClassifier.classify(ok(0xf4, false))).isEqualTo(StopCause.hlt());
    }

    @Test
    void takesAnOkReturnAnywhereElseForAShutdownAndExplainsWhy() {
        StopCause cause = StopClassifier.classify(ok(0x90, false));

        assertThat(cause.kind()).isEqualTo(Kind.SHUTDOWN);
        assertThat(cause.detail()).contains("without HLT", "triple fault", "CS:IP 0010:0020 (linear 0x120)");
    }

    @Test
    void distrustsHltWhenUnicornReportsATimeout() {
        assertThat(StopClassifier.classify(ok(0xf4, true)).kind()).isEqualTo(Kind.SHUTDOWN);
    }

    @Test
    void prefersTheStopPortWriteToEverythingElse() {
        state.stopPort(StopCause.stopPort(0xf4, 1, 3));
        state.interrupt(13);

        assertThat(StopClassifier.classify(outcome(UnicornConstants.UC_ERR_OK, true, 0xf4)))
                .isEqualTo(StopCause.stopPort(0xf4, 1, 3));
    }

    @Test
    void namesTheExceptionAndShowsTheCode() {
        state.interrupt(13);

        StopCause cause = StopClassifier.classify(outcome(UnicornConstants.UC_ERR_OK, false, 0));

        assertThat(cause).extracting(StopCause::kind, StopCause::value).containsExactly(Kind.EMULATOR_FAULT, 13L);
        assertThat(cause.detail()).contains("#GP", "vector 13", "code there: 0f 0b");
    }

    @Test
    void callsHighVectorsSoftwareInterrupts() {
        state.interrupt(0x21);

        assertThat(StopClassifier.classify(outcome(UnicornConstants.UC_ERR_OK, false, 0)).detail())
                .startsWith("software interrupt 0x21 (vector 33)");
    }

    @Test
    void turnsAnInvalidInstructionIntoVector6() {
        StopCause cause = StopClassifier.classify(outcome(UnicornConstants.UC_ERR_INSN_INVALID, false, 0));

        assertThat(cause).extracting(StopCause::kind, StopCause::value).containsExactly(Kind.EMULATOR_FAULT, 6L);
        assertThat(cause.detail()).contains("error 10", "Invalid instruction");
    }

    @Test
    void reportsTheUnmappedAccessBehindAnError() {
        state.unmapped("read of 4 bytes at 0x200000");

        StopCause cause = StopClassifier.classify(outcome(UnicornConstants.UC_ERR_READ_UNMAPPED, false, 0));

        assertThat(cause.value()).isEqualTo(-1);
        assertThat(cause.detail()).contains("read of 4 bytes at 0x200000");
    }

    @Test
    void reportsARequestedStopUnlessSomethingMoreSpecificHappened() {
        assertThat(StopClassifier.classify(outcome(UnicornConstants.UC_ERR_OK, true, 0xf4)))
                .isEqualTo(StopCause.stopRequested());
    }

    private RunOutcome ok(int byteBefore, boolean timedOut) {
        return new RunOutcome(state, UnicornConstants.UC_ERR_OK, "", false, timedOut, 0x10, 0x20, 0x120, byteBefore, null);
    }

    private RunOutcome outcome(int error, boolean stopRequested, int byteBefore) {
        String text = error == UnicornConstants.UC_ERR_OK ? "" : "Invalid instruction (UC_ERR_INSN_INVALID)";
        return new RunOutcome(state, error, text, stopRequested, false, 0, 0x1000, 0x1000, byteBefore,
                new byte[] {0x0f, 0x0b});
    }
}
