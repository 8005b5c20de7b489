package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static io.github.junitkvm.KvmAssertions.assertThatThrownBy;
import static io.github.junitkvm.KvmAssertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.DisabledOnPvm;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * What a failed assertion on a real run says, on either backend: the run, the CPU mode at the
 * stop, the code at RIP disassembled by Capstone ({@code libcapstone4}) and, for a traced guest,
 * the instructions it executed. The traced cases need a faithful single-step, which PVM lacks.
 */
class FailureReportTest {
    /* mov dx,0x3f8 ; mov al,'a' ; out dx,al ; inc al ; out dx,al ; nop ; hlt */
    private static final String REAL_AB = "ba f8 03 b0 61 ee fe c0 ee 90 f4";
    /* the same with mov edx,0x3f8, for 32- and 64-bit code */
    private static final String WIDE_AB = "ba f8 03 00 00 b0 61 ee fe c0 ee 90 f4";

    @Test
    @KvmGuest(code = REAL_AB)
    void aRealModeFailureShowsTheInstructionsBeforeTheStop(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).hasSerialOutput("ab\n"))
                .hasMessageContaining("guest run on " + run.backend() + " in REAL mode, 3 exits")
                .hasMessageContaining("""
                        CPU at the stop: real mode, 16-bit code
                        code at RIP (linear 0x100b; Capstone 4.""")
                .hasMessageContaining("""
                             0x00001006  fe c0                    inc al
                             0x00001008  ee                       out dx, al
                             0x00001009  90                       nop
                             0x0000100a  f4                       hlt
                          => 0x0000100b  00 00                    add byte ptr [bx + si], al
                        """)
                .hasMessageNotContaining("trace:");
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = WIDE_AB)
    void aProtectedModeFailureDecodesThirtyTwoBitCode(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).registers().hasRax(1))
                .hasMessageContaining("Expecting RAX to be")
                .hasMessageContaining("CPU at the stop: protected mode, 32-bit code, paging off")
                .hasMessageContaining("""
                             0x0000100c  f4                       hlt
                          => 0x0000100d  00 00                    add byte ptr [eax], al
                        """);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = WIDE_AB)
    void aLongModeFailureDecodesSixtyFourBitCode(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).exits().contains(VmExit.shutdown()))
                .hasMessageContaining("CPU at the stop: long mode, 64-bit code")
                .hasMessageContaining("code at RIP (linear 0x100d, read as identity-mapped; Capstone 4.")
                .hasMessageContaining("""
                             0x0000100c  f4                       hlt
                          => 0x0000100d  00 00                    add byte ptr [rax], al
                        """);
    }

    /*
     * mov rax,0xffff800040000000 ; jmp rax: to a higher-half address, as a kernel linked at the
     * direct map jumps, which the extension's page tables do not map. The #PF finds no IDT and shuts
     * the guest down (AMD's KVM then resets the vCPU; the emulator names the #PF). Either way
     * nothing is at RIP, and the report says so at once.
     */
    private static final String JUMP_TO_THE_HIGHER_HALF = "48 b8 00 00 00 40 00 80 ff ff ff e0";
    private static final Duration A_REPORT_AT_MOST = Duration.ofSeconds(10);

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = JUMP_TO_THE_HIGHER_HALF)
    void aJumpToTheHigherHalfIsReportedQuickly(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.SHUTDOWN);
        if (run.backend() == Backend.EMULATOR) {
            assertThat(run.lastExit().detail()).contains("#PF page fault (vector 14) at linear 0xffff800040000000,"
                    + " CR2 0xffff800040000000");
        }

        String report = assertTimeoutPreemptively(A_REPORT_AT_MOST,
                () -> failureOf(() -> assertThat(run).haltedNormally()));

        assertThat(report).contains("CPU at the stop: ", "code at RIP (linear 0x", "  not in guest RAM");
        if (run.backend() == Backend.EMULATOR) {
            assertThat(report).contains("""
                    CPU at the stop: long mode, 64-bit code
                    code at RIP (linear 0xffff800040000000, read as identity-mapped; Capstone 4.""")
                    .contains("  => 0xffff800040000000  not in guest RAM");
        }
    }

    /* The trace shows the jump on both backends. */
    @Test
    @DisabledOnPvm
    @KvmGuest(mode = CpuMode.LONG, code = JUMP_TO_THE_HIGHER_HALF, trace = 8)
    void aTracedJumpToTheHigherHalfShowsTheJump(GuestRun run) {
        String report = assertTimeoutPreemptively(A_REPORT_AT_MOST,
                () -> failureOf(() -> assertThat(run).haltedNormally()));

        assertThat(report).contains("trace: the last ", "movabs rax, 0xffff800040000000\n"
                + "     0x0000100a  ff e0                    jmp rax");
    }

    private static String failureOf(ThrowingCallable assertion) {
        return catchThrowableOfType(AssertionError.class, assertion).getMessage();
    }

    @Test
    @KvmGuest(code = "eb fe", timeoutMillis = 100)  // jmp $
    void aGuestStoppedAtItsLimitShowsWhereItSpins(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).haltedNormally())
                .hasMessageContaining("but it stopped with\n  TIMEOUT (stopped at the time limit of 100 ms)")
                .hasMessageContaining("  => 0x00001000  eb fe                    jmp 0x1000\n");
    }

    /*
     * nop ; nop ; ud2 ; hlt: with no IDT the #UD shuts KVM's guest down, and AMD's KVM resets the
     * vCPU on a shutdown, so RIP no longer tells where; the emulator stops at the ud2. The trace
     * tells on both.
     */
    @Test
    @DisabledOnPvm
    @KvmGuest(mode = CpuMode.PROTECTED, code = "90 90 0f 0b f4", trace = 8)
    void aTracedFaultEndsWithTheFaultingInstruction(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).haltedNormally())
                .hasMessageEndingWith("""
                        trace: the last 3 of 3 instructions executed, oldest first (decoded as 32-bit code%s):
                             0x00001000  90                       nop
                             0x00001001  90                       nop
                             0x00001002  0f 0b                    ud2""".formatted(
                                run.lastExit().reason() == ExitReason.SHUTDOWN ? " as the guest started" : ""));
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = "90 90 0f 0b f4")
    void anUntracedShutdownOnKvmSuggestsATrace(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.SHUTDOWN);
        assertThatThrownBy(() -> assertThat(run).haltedNormally())
                .hasMessageEndingWith("(registers after a shutdown may be the vCPU's reset state, as on AMD's KVM:"
                        + " @KvmGuest(trace = 16) shows the instructions that led to it)");
    }

    @Test
    @DisabledOnPvm
    @KvmGuest(code = REAL_AB, trace = 16)
    void aTracedRealModeGuestShowsEveryInstructionItRan(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).hasExitCode(0))
                .hasMessageEndingWith("""
                        trace: the last 7 of 7 instructions executed, oldest first (decoded as 16-bit code):
                             0x00001000  ba f8 03                 mov dx, 0x3f8
                             0x00001003  b0 61                    mov al, 0x61
                             0x00001005  ee                       out dx, al
                             0x00001006  fe c0                    inc al
                             0x00001008  ee                       out dx, al
                             0x00001009  90                       nop
                             0x0000100a  f4                       hlt""");
    }

    @Test
    @DisabledOnPvm
    @KvmGuest(mode = CpuMode.LONG, code = WIDE_AB, trace = 3)
    void aTracedLongModeGuestShowsItsLastInstructions(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.HLT);
        assertThatThrownBy(() -> assertThat(run).registers().hasRip(0))
                .hasMessageEndingWith("""
                        trace: the last 3 of 7 instructions executed, oldest first (decoded as 64-bit code):
                             0x0000100a  ee                       out dx, al
                             0x0000100b  90                       nop
                             0x0000100c  f4                       hlt""");
    }
}
