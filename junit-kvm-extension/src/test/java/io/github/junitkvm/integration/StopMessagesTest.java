package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static io.github.junitkvm.KvmAssertions.assertThatThrownBy;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.testsupport.LoadedUnicorn;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A run's stop says what happened, on either backend: a software interrupt is not taken for the
 * CPU exception that shares its vector, real-mode code past the end of its segment is named so,
 * memory and port bytes show in hex, and a run stopped by closing its VM says so rather than
 * blaming its time limit. Where the backends differ (docs/backends.md, "What the emulator cannot do"), each
 * test states both behaviours.
 */
class StopMessagesTest {
    private static final int HLT = 0xf4;

    /**
     * FXSAVE writes from one of Unicorn's helper functions, which goes on past a failed access: the
     * emulator's stop still names the FXSAVE, as it does an access the translated code makes
     * itself (Unicorn 2.0.1, which does not walk the page tables). On KVM and later Unicorn versions
     * the address, beyond the extension's page tables, is a page fault with no IDT: a triple fault.
     */
    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x100000000, %rax
                    lea     fault(%rip), %rcx
            fault:  fxsave  (%rax)
                    hlt
            """)
    void aFaultInsideAnInstructionHelperStopsAtThatInstruction(GuestRun run) {
        if (run.backend() == Backend.KVM) {
            assertThat(run).stoppedWith(ExitReason.SHUTDOWN);
        } else if (LoadedUnicorn.isAtLeast(2, 1, 0)) {
            // The emulator delivers the exceptions itself, and so can say which led to the shutdown.
            assertThat(run).stoppedWith(ExitReason.SHUTDOWN);
            assertThat(run.lastExit().detail()).contains("#PF page fault (vector 14) at linear 0x1011");
        } else {
            assertThat(run).stoppedWith(ExitReason.EMULATOR_FAULT);
            assertThat(run.lastExit().detail()).contains("write of 2 bytes at 0x100000000", "code there: 0f ae 00 f4");
            assertThat(run).registers().hasRip(run.registers().rcx());
        }
    }

    /**
     * KVM delivers {@code INT 0x10} through the interrupt vector table, whose zeroed entry sends it
     * to 0000:0000; the emulator stops, and must not call vector 16 the x87 error #MF.
     */
    @Test
    @KvmGuest(code = "90 cd 10 f4")  // nop; int 0x10; hlt
    void aSoftwareInterruptInRealModeIsNotTheExceptionOfItsVector(KvmVm vm) {
        vm.memory().writeByte(0, HLT);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRip(1);
        assertThat(run).as("the interrupt frame: IP after the INT, CS 0")
                .memoryAt(run.registers().rsp() & 0xffff, 4).containsExactly(0x03, 0x10, 0, 0);
    }

    /** The extension's IDT is empty: on KVM the INT faults, and the fault shuts the guest down. */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, code = "90 cd 10 f4")
    void aSoftwareInterruptInProtectedMode(GuestRun run) {
        assertSoftwareInterruptWithoutAnIdt(run, 16);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, code = "90 cc f4")  // nop; int3; hlt
    void aBreakpointInLongMode(GuestRun run) {
        assertSoftwareInterruptWithoutAnIdt(run, 3);
    }

    private static void assertSoftwareInterruptWithoutAnIdt(GuestRun run, int vector) {
        assertThat(run).stoppedWith(ExitReason.SHUTDOWN);
        if (run.backend() == Backend.EMULATOR) {
            // The emulator's description names the interrupt that led to the triple fault.
            assertThat(run.lastExit().detail()).startsWith("triple fault after software interrupt (vector " + vector
                    + ")").contains("delivering #DF double fault");
        }
    }

    /**
     * A jump to 0x200000 in real mode: IP past 0xffff, beyond CS's limit. Unicorn jumps there and
     * stops fetching from MMIO, which the message must show as EIP and linear address as they are.
     */
    @Test
    @KvmGuest(code = "66 e9 fa ef 1f 00")  // jmp dword 0x200000
    void aJumpPastTheRealModeSegmentIsShownWhereItWent(KvmVm vm) {
        vm.memory().writeByte(0, HLT);

        GuestRun run = vm.run();

        if (vm.backend() == Backend.KVM) {
            assertLimitOnKvm(run);
        } else {
            assertThat(run).stoppedWith(ExitReason.INTERNAL_ERROR);
            assertThat(run.lastExit().detail()).contains("UC_ERR_FETCH_PROT",
                    "at CS:EIP 0000:00200000 (linear 0x200000; EIP is past 0xffff, the end of the real-mode code"
                            + " segment: Unicorn runs on there, where a CPU raises #GP)");
        }
    }

    /** Code that runs on past IP 0xffff, where Unicorn's EIP above 0xffff comes from. */
    @Test
    @KvmGuest(memory = @Memory(size = 0x2_0000), code = "90")  // nop, then zeros: add [bx+si],al
    void codeRunningOnPastTheRealModeSegmentIsShownWhereItWent(KvmVm vm) {
        vm.memory().writeByte(0, HLT);

        GuestRun run = vm.run(Duration.ofSeconds(2));

        if (vm.backend() == Backend.KVM) {
            assertLimitOnKvm(run);
        } else {
            assertThat(run).stoppedWith(ExitReason.INTERNAL_ERROR);
            assertThat(run.lastExit().detail()).contains("at CS:EIP 0000:0001", "(linear 0x1",
                    "EIP is past 0xffff, the end of the real-mode code segment");
            assertThat(run.registers().rip()).isGreaterThan(0xffff);
        }
    }

    /**
     * On KVM the CPU decides, and CPUs differ. Hardware checks CS's limit and raises #GP (vector
     * 13), which goes through the zeroed IVT to the HLT at 0000:0000. QEMU's TCG, which runs the
     * guest in the kvm-in-qemu stage, does not check it, as Unicorn does not, and either wraps IP or
     * fetches beyond RAM (which KVM cannot emulate) or runs on in zeros. What holds everywhere: the
     * run ends by itself or at its limit, and an end at a HLT is the one at 0000:0000, reached through
     * the interrupt table.
     */
    private static void assertLimitOnKvm(GuestRun run) {
        assertThat(run.lastExit().reason()).isIn(ExitReason.HLT, ExitReason.INTERNAL_ERROR, ExitReason.TIMEOUT);
        if (run.lastExit().reason() == ExitReason.HLT) {
            assertThat(run).registers().hasRip(1);
            assertThat(run.specialRegisters().cs().base()).isZero();
        }
    }

    @Test
    @KvmGuest(code = "b0 b0 e6 80 f4")  // mov al,0xb0; out 0x80,al; hlt
    void memoryAndPortMismatchesShowBytesInHex(GuestRun run) {
        assertThatThrownBy(() -> assertThat(run).memoryAt(0x1000, 2).containsExactly(0xb0, 0xb1))
                .hasMessageContaining("  [0xB0, 0xB0]\nto contain exactly (and in same order):\n  [0xB0, 0xB1]")
                .hasMessageNotContaining("-80");
        assertThatThrownBy(() -> assertThat(run).portOutput(0x80).containsExactly(0xb1))
                .hasMessageContaining("  [0xB0]\nto contain exactly (and in same order):\n  [0xB1]");
    }

    /* An IN, unlike an OUT, reaches its handler at once on the emulator too, whose worker batches OUTs. */
    @Test
    @KvmGuest(code = "e4 80 eb fe", timeoutMillis = 60_000)  // in al,0x80; jmp $
    void aRunStoppedByClosingItsVmFromAnotherThreadSaysSo(KvmVm vm) throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        vm.onPortIn(0x80, (port, size) -> {
            running.countDown();
            return 0;
        });
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<GuestRun> runs = runner.submit(() -> vm.run());
            assertThat(running.await(30, TimeUnit.SECONDS)).as("the guest started").isTrue();

            vm.close();

            assertClosedDuringTheRun(runs.get(30, TimeUnit.SECONDS));
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    @KvmGuest(code = "e4 80 eb fe", timeoutMillis = 60_000)
    void aRunStoppedByClosingItsVmFromAHandlerSaysSo(KvmVm vm) {
        vm.onPortIn(0x80, (port, size) -> {
            vm.close();
            return 0;
        });

        assertClosedDuringTheRun(vm.run());
    }

    private static void assertClosedDuringTheRun(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.CLOSED);
        assertThatThrownBy(() -> assertThat(run).haltedNormally())
                .hasMessageContaining("stopped by CLOSED (stopped because KvmVm.close() was called during the run)")
                .hasMessageNotContaining("time limit");
    }
}
