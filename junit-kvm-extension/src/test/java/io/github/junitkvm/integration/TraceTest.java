package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.DisabledOnPvm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code @KvmGuest(trace = n)} on either backend: the same straight-line program gives the same
 * trace on KVM (single-stepped) and on the emulator (a code hook), in each CPU mode, and tracing
 * changes nothing else about the run. PVM's single-step is not faithful; {@code PvmSingleStepTest}
 * pins what happens there.
 */
@DisabledOnPvm
class TraceTest {
    /* mov dx,0x3f8 ; mov al,'a' ; out dx,al ; inc al ; out dx,al ; nop ; hlt */
    private static final String REAL_AB = "ba f8 03 b0 61 ee fe c0 ee 90 f4";
    private static final List<Long> REAL_AB_TRACE = List.of(0x1000L, 0x1003L, 0x1005L, 0x1006L, 0x1008L, 0x1009L, 0x100aL);

    /* the same with mov edx,0x3f8: 32-bit code, and 64-bit code alike */
    private static final String WIDE_AB = "ba f8 03 00 00 b0 61 ee fe c0 ee 90 f4";
    private static final List<Long> WIDE_AB_TRACE = List.of(0x1000L, 0x1005L, 0x1007L, 0x1008L, 0x100aL, 0x100bL, 0x100cL);

    private static final List<VmExit> AB_EXITS = List.of(VmExit.ioOut(0x3f8, 'a'), VmExit.ioOut(0x3f8, 'b'), VmExit.hlt());

    @Test
    @KvmGuest(code = REAL_AB, trace = 16)
    void realModeTraceHoldsEveryInstructionAndTheRunIsUnchanged(GuestRun run) {
        assertThat(run.trace()).contains(new InstructionTrace(REAL_AB_TRACE, 7));
        assertThat(run).exits().containsExactlyElementsOf(AB_EXITS);
        // RFLAGS too: KVM single-steps with the trap flag, and hides it from KVM_GET_REGS.
        assertThat(run).hasSerialOutput("ab").registers().hasRip(0x100b).hasRax('b').hasRdx(0x3f8).hasRflags(0x2);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = WIDE_AB, trace = 16)
    void protectedModeTrace(GuestRun run) {
        assertThat(run.trace()).contains(new InstructionTrace(WIDE_AB_TRACE, 7));
        assertThat(run).exits().containsExactlyElementsOf(AB_EXITS);
        assertThat(run).registers().hasRip(0x100d);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = WIDE_AB, trace = 16)
    void longModeTrace(GuestRun run) {
        assertThat(run.trace()).contains(new InstructionTrace(WIDE_AB_TRACE, 7));
        assertThat(run).exits().containsExactlyElementsOf(AB_EXITS);
        assertThat(run).registers().hasRip(0x100d);
    }

    @Test
    @KvmGuest(code = REAL_AB, trace = 3)
    void keepsOnlyTheLastInstructions(GuestRun run) {
        InstructionTrace trace = run.trace().orElseThrow();
        assertThat(trace.addresses()).containsExactly(0x1008L, 0x1009L, 0x100aL);
        assertThat(trace.executed()).isEqualTo(7);
        assertThat(trace.complete()).isFalse();
    }

    /* mov cx,3 ; again: dec cx ; jnz again ; hlt */
    @Test
    @KvmGuest(code = "b9 03 00 49 75 fd f4", trace = 16)
    void followsJumps(GuestRun run) {
        assertThat(run.trace().orElseThrow().addresses())
                .containsExactly(0x1000L, 0x1003L, 0x1004L, 0x1003L, 0x1004L, 0x1003L, 0x1004L, 0x1006L);
        assertThat(run).haltedNormally().registers().hasRcx(0);
    }

    /*
     * mov di,0x2000 ; mov cx,3 ; rep stosb ; hlt: KVM steps once per iteration; Unicorn enters the
     * instruction once more, to find CX exhausted, a pass the emulator leaves out of the trace.
     */
    @Test
    @KvmGuest(code = "bf 00 20 b9 03 00 f3 aa f4", trace = 16)
    void countsARepeatedStringInstructionOncePerIteration(GuestRun run) {
        List<Long> expected = new ArrayList<>(List.of(0x1000L, 0x1003L));
        expected.addAll(Collections.nCopies(3, 0x1006L));
        expected.add(0x1008L);
        assertThat(run.trace()).contains(new InstructionTrace(expected, expected.size()));
        assertThat(run).haltedNormally().registers().hasRcx(0).hasRdi(0x2003);
    }

    /* mov edi,0x2000 ; xor ecx,ecx ; rep stosb ; rep stosb ; hlt: a count of 0 runs the instruction once */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = "bf 00 20 00 00 31 c9 f3 aa f3 aa f4", trace = 16)
    void countsARepeatedStringInstructionWithNoIterationOnce(GuestRun run) {
        assertThat(run.trace()).contains(new InstructionTrace(List.of(0x1000L, 0x1005L, 0x1007L, 0x1009L, 0x100bL),
                5));
        assertThat(run).haltedNormally().registers().hasRdi(0x2000);
    }

    /* mov al,7 ; out 0xf4,al ; hlt */
    @Test
    @KvmGuest(code = "b0 07 e6 f4 f4", trace = 16)
    void endsWithTheDebugExitWrite(GuestRun run) {
        assertThat(run).hasExitCode(7);
        assertThat(run.trace()).contains(new InstructionTrace(List.of(0x1000L, 0x1002L), 2));
        // Untraced, Unicorn runs on to the end of its translation block and has run the HLT too
        // (PortIoTest); its code hook checks for a stop after every instruction, so a traced
        // emulator stops right after the OUT, as KVM does.
        assertThat(run).registers().hasRip(0x1004);
    }

    /* pushf ; pop ax ; hlt: KVM single-steps with the trap flag (bit 8), which PUSHF shows the guest */
    @Test
    @KvmGuest(code = "9c 58 f4", trace = 8)
    void aGuestThatReadsItsFlagsSeesTheTrapFlagOnKvm(GuestRun run) {
        assertThat(run).registers().hasRax(run.backend() == Backend.KVM ? 0x102 : 0x2).hasRflags(0x2);
    }

    @Test
    @KvmGuest(code = "eb fe", trace = 4, timeoutMillis = 300)
    void aTracedGuestStillStopsAtItsTimeLimit(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.TIMEOUT);
        InstructionTrace trace = run.trace().orElseThrow();
        assertThat(trace.addresses()).isEqualTo(Collections.nCopies(4, 0x1000L));
        assertThat(trace.executed()).isGreaterThan(4);
    }

    @Test
    @KvmGuest(code = REAL_AB, trace = 16)
    void eachRunHasItsOwnTrace(KvmVm vm) {
        assertThat(vm.run().trace()).contains(new InstructionTrace(REAL_AB_TRACE, 7));
        vm.setRegisters(vm.registers().withRip(0x1009));
        assertThat(vm.run().trace()).contains(new InstructionTrace(List.of(0x1009L, 0x100aL), 2));
    }

    @Test
    @KvmGuest(trace = 1000, asm = """
                    .include "junitkvm.inc"
                    mov $50, %cx
            again:  nop
                    loop again
                    KVM_LOG "looped"
                    hlt
            """)
    void aRunsTraceGoesBackPastTheGuestLibrarysLogLines(GuestRun run) {
        // The host serves a log line between two runs of the machine: the trace of the run is theirs joined.
        assertThat(run).haltedNormally().guestLog().containsExactly("looped");
        InstructionTrace trace = run.trace().orElseThrow();
        assertThat(trace.complete()).isTrue();
        assertThat(trace.addresses().get(0)).isEqualTo(0x1000L);
        assertThat(Collections.frequency(trace.addresses(), 0x1003L)).as("the NOP at 0x1003").isEqualTo(50);
    }

    @Test
    @KvmGuest(code = REAL_AB)
    void anUntracedRunHasNoTrace(GuestRun run) {
        assertThat(run.trace()).isEmpty();
    }
}
