package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.StopCause.Kind;
import io.github.junitkvm.emulator.unicorn.UnicornConstants;
import java.util.HexFormat;
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
        state.interrupt(13, 0x1000, "its gate is missing");

        assertThat(StopClassifier.classify(outcome(UnicornConstants.UC_ERR_OK, true, 0xf4)))
                .isEqualTo(StopCause.stopPort(0xf4, 1, 3));
    }

    @Test
    void namesTheExceptionAndShowsTheCode() {
        state.interrupt(13, 0x1000, "its gate is missing");

        StopCause cause = StopClassifier.classify(outcome(UnicornConstants.UC_ERR_OK, false, 0));

        assertThat(cause).extracting(StopCause::kind, StopCause::value).containsExactly(Kind.EMULATOR_FAULT, 13L);
        assertThat(cause.detail()).startsWith("CPU exception #GP general protection (vector 13) at CS:EIP 0000:00001000"
                + " (linear 0x1000), code there: 0f 0b; the emulator could not deliver");
    }

    @Test
    void anIntInstructionIsASoftwareInterruptNotTheExceptionOfItsVector() {
        state.interrupt(16, 0x1003, "its gate is missing");

        StopCause cause = StopClassifier.classify(vectorAfter(EngineKind.SIXTEEN_BIT, "cd 10"));

        assertThat(cause).extracting(StopCause::kind, StopCause::value).containsExactly(Kind.EMULATOR_FAULT, 16L);
        assertThat(cause.detail()).startsWith("software interrupt INT 0x10 (vector 16), the instruction before"
                + " CS:IP 0000:1003 (linear 0x1003), code there: f4; the emulator could not deliver")
                .doesNotContain("#MF", "exception");
    }

    @Test
    void theOtherInterruptInstructionsAreSoftwareInterruptsToo() {
        assertThat(vectorAfter(3, "90 cc")).startsWith("software interrupt INT3 (vector 3)");
        assertThat(vectorAfter(3, "cd 03")).startsWith("software interrupt INT 0x03 (vector 3)");
        assertThat(vectorAfter(4, "ce")).startsWith("software interrupt INTO (vector 4)");
        assertThat(vectorAfter(0x21, "cd 21")).startsWith("software interrupt INT 0x21 (vector 33)");
    }

    @Test
    void aVectorTheInstructionBeforeDoesNotRaiseIsAnException() {
        assertThat(vectorAfter(16, "cd 11")).startsWith("CPU exception #MF x87 floating-point error (vector 16) at");
        assertThat(vectorAfter(16, "d9 f8")).startsWith("CPU exception #MF");
        assertThat(vectorAfter(1, "f7 f1")).startsWith("CPU exception #DB");
        assertThat(vectorAfter(0, "10 cd")).startsWith("CPU exception #DE");
        assertThat(vectorAfter(13, "0d")).startsWith("CPU exception #GP");
        assertThat(vectorAfter(14, null)).startsWith("CPU exception #PF");
        assertThat(vectorAfter(0x21, "90")).startsWith("interrupt 0x21 (vector 33) at");
    }

    @Test
    void in64BitCodeIntoIsNoInstruction() {
        state.interrupt(0x80, 0x1003, "its gate is missing");
        assertThat(StopClassifier.classify(vectorAfter(EngineKind.SIXTY_FOUR_BIT, "cd 80")).detail())
                .startsWith("software interrupt INT 0x80 (vector 128), the instruction before"
                        + " CS:RIP 0000:0000000000001003,");
        state.interrupt(4, 0x1003, "its gate is missing");
        assertThat(StopClassifier.classify(vectorAfter(EngineKind.SIXTY_FOUR_BIT, "ce")).detail())
                .startsWith("CPU exception #OF");
    }

    @Test
    void realModeCodePastTheEndOfItsSegmentIsNamedSo() {
        state.unmapped("fetch of 1 bytes at 0x200000, where nothing is mapped", 0x200000);
        RunOutcome pastTheSegment = new RunOutcome(state, EngineKind.SIXTEEN_BIT,
                UnicornConstants.UC_ERR_FETCH_UNMAPPED, "Invalid memory fetch (UC_ERR_FETCH_UNMAPPED)", false, false,
                0, 0x1fff6e, 0x1fff6e, 0, null, null);

        StopCause cause = StopClassifier.classify(pastTheSegment);

        assertThat(cause).extracting(StopCause::kind, StopCause::value).containsExactly(Kind.INTERNAL_ERROR, 1L);
        assertThat(cause.detail()).contains(
                "at CS:EIP 0000:001fff6e (linear 0x1fff6e; EIP is past 0xffff, the end of the real-mode code segment:"
                        + " Unicorn runs on there, where a CPU raises #GP)");
    }

    @Test
    void turnsAnInvalidInstructionIntoVector6() {
        StopCause cause = StopClassifier.classify(outcome(UnicornConstants.UC_ERR_INSN_INVALID, false, 0));

        assertThat(cause).extracting(StopCause::kind, StopCause::value).containsExactly(Kind.EMULATOR_FAULT, 6L);
        assertThat(cause.detail()).contains("error 10", "Invalid instruction").doesNotContain("INT1");
    }

    @Test
    void saysThatUnicornDoesNotEmulateInt1() {
        RunOutcome icebp = new RunOutcome(state, EngineKind.SIXTEEN_BIT, UnicornConstants.UC_ERR_INSN_INVALID,
                "Invalid instruction (UC_ERR_INSN_INVALID)", false, false, 0, 0x1001, 0x1001, 0x90,
                bytes("f1 f4"), null);

        assertThat(StopClassifier.classify(icebp).detail()).endsWith(
                "code there: f1 f4; this is INT1 (ICEBP), which Unicorn 2.0.1 does not emulate: a CPU raises #DB"
                        + " (vector 1)");
    }

    @Test
    void reportsTheUnmappedAccessBehindAnError() {
        state.unmapped("read of 4 bytes at 0x200000", 0x1000);

        StopCause cause = StopClassifier.classify(outcome(UnicornConstants.UC_ERR_READ_UNMAPPED, false, 0));

        assertThat(cause.value()).isEqualTo(-1);
        assertThat(cause.detail()).contains("read of 4 bytes at 0x200000");
    }

    @Test
    void reportsARequestedStopUnlessSomethingMoreSpecificHappened() {
        assertThat(StopClassifier.classify(outcome(UnicornConstants.UC_ERR_OK, true, 0xf4)))
                .isEqualTo(StopCause.stopRequested());
    }

    /** The detail of a 32-bit run whose vector was raised with EIP at 0x1003, after the bytes {@code before}. */
    private static String vectorAfter(int vector, String before) {
        RunState run = new RunState(Set.of(), 0);
        run.interrupt(vector, 0x1003, "its gate is missing");
        return StopClassifier.classify(new RunOutcome(run, EngineKind.THIRTY_TWO_BIT, UnicornConstants.UC_ERR_OK, "",
                false, false, 8, 0x1003, 0x1003, 0, null, before == null ? null : bytes(before))).detail();
    }

    /** A run that stopped at 0x1003 after the bytes {@code before}, with the state's vector. */
    private RunOutcome vectorAfter(EngineKind kind, String before) {
        return new RunOutcome(state, kind, UnicornConstants.UC_ERR_OK, "", false, false, 0, 0x1003, 0x1003, 0x10,
                bytes("f4"), bytes(before));
    }

    private RunOutcome ok(int byteBefore, boolean timedOut) {
        return new RunOutcome(state, EngineKind.SIXTEEN_BIT, UnicornConstants.UC_ERR_OK, "", false, timedOut, 0x10,
                0x20, 0x120, byteBefore, null, null);
    }

    private RunOutcome outcome(int error, boolean stopRequested, int byteBefore) {
        String text = error == UnicornConstants.UC_ERR_OK ? "" : "Invalid instruction (UC_ERR_INSN_INVALID)";
        return new RunOutcome(state, EngineKind.THIRTY_TWO_BIT, error, text, stopRequested, false, 0, 0x1000, 0x1000,
                byteBefore, bytes("0f 0b"), bytes("0f 0b"));
    }

    private static byte[] bytes(String hex) {
        return HexFormat.ofDelimiter(" ").parseHex(hex);
    }
}
