package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestVcpu;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Registers;
import io.github.junitkvm.VmExit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code @KvmGuest(vcpus = n)} on whichever backend runs the suite: the application processors
 * start at {@code apEntry} beside the bootstrap processor, share its memory (a {@code LOCK}ed
 * instruction is atomic across them, a spinlock protects a plain read-modify-write), and each
 * vCPU's exits, stop and registers are in the {@link GuestRun}.
 */
class SmpTest {
    /**
     * The BSP waits until as many APs as RCX says have checked in, then halts; each AP takes a
     * ticket with {@code lock xadd}, files its index under it, and halts. The APs start at 0x1200
     * ({@code .org 0x200} past the load address); the counter is at 0x1100, the tickets after it.
     */
    private static final String BRING_UP = """
            wait:   pause
                    cmp     %ecx, arrived
                    jne     wait
                    mov     arrived, %eax
                    hlt
                    .org    0x100
            arrived: .long  0
            order:  .fill   16, 4, 0xffffffff
                    .org    0x200
            ap:     mov     $1, %eax
                    lock xadd %eax, arrived         # eax: how many came before
                    mov     %edi, order(,%eax,4)    # file this AP's index under its ticket
                    mov     %edi, %ebx
                    hlt
            """;

    @Test
    @KvmGuest(mode = CpuMode.LONG, vcpus = 2, apEntry = 0x1200, asm = BRING_UP, registers = @Registers(rcx = 1))
    void twoVcpusBringUp(GuestRun run) {
        assertBroughtUp(run, 2);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, vcpus = 4, apEntry = 0x1200, asm = BRING_UP, registers = @Registers(rcx = 3))
    void fourVcpusBringUp(GuestRun run) {
        assertBroughtUp(run, 4);
    }

    private static void assertBroughtUp(GuestRun run, int vcpus) {
        assertThat(run).haltedNormally();
        assertThat(run.vcpuCount()).isEqualTo(vcpus);
        assertThat(run.registers().rax()).as("APs that arrived, seen by the BSP").isEqualTo(vcpus - 1);
        for (int ap = 1; ap < vcpus; ap++) {
            GuestVcpu vcpu = run.vcpu(ap);
            assertThat(vcpu.index()).isEqualTo(ap);
            assertThat(vcpu.stop().reason()).isEqualTo(ExitReason.HLT);
            assertThat(vcpu.registers().rbx()).as("vCPU %d's index, in RDI at its start", ap).isEqualTo(ap);
            long rip = vcpu.registers().rip();
            assertThat(rip).as("vCPU %d's RIP, past its HLT", ap).isBetween(0x1200L, 0x1240L);
            assertThat(run.memory().readByte(rip - 1)).as("the instruction before vCPU %d's RIP", ap).isEqualTo(0xf4);
            assertThat(vcpu.exits()).as("vCPU %d's exits", ap).containsExactly(VmExit.hlt());
        }
        int[] order = IntStream.range(0, vcpus - 1).map(ticket -> run.memory().readInt(0x1104 + 4L * ticket))
                .sorted().toArray();
        assertThat(order).as("each AP filed under one ticket").containsExactly(
                IntStream.range(1, vcpus).toArray());
        assertThat(run.memory().readInt(0x1104 + 4L * (vcpus - 1))).as("no ticket past the APs").isEqualTo(-1);
    }

    /**
     * Every vCPU, at the same entry, adds 1 to a counter 300 times with a plain load, increment and
     * store, each inside a spinlock taken with {@code xchg}: no increment is lost.
     */
    private static final String SPINLOCK = """
                    mov     $300, %ecx
            round:  mov     $1, %eax
            spin:   xchg    %eax, lock
                    test    %eax, %eax
                    jz      locked
                    pause
                    mov     $1, %eax
                    jmp     spin
            locked: mov     counter, %edx
                    pause                           # widen the window another vCPU would race into
                    inc     %edx
                    mov     %edx, counter
                    movl    $0, lock
                    dec     %ecx
                    jnz     round
                    hlt
                    .org    0x100
            lock:   .long   0
            counter: .long  0
            """;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, vcpus = 4, apEntry = 0x1000, asm = SPINLOCK)
    void aSpinlockProtectsAPlainCounter(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run.memory().readInt(0x1104)).as("the counter").isEqualTo(4 * 300);
        assertThat(run.memory().readInt(0x1100)).as("the lock, released").isZero();
        IntStream.range(0, 4).forEach(vcpu -> assertThat(run.vcpu(vcpu).stop()).isEqualTo(VmExit.hlt()));
    }

    /** Each vCPU reads port 0x99, whose handler answers from the registers of the vCPU it serves. */
    @Test
    @KvmGuest(vcpus = 3, apEntry = 0x1000, asm = """
                    in      $0x99, %al
                    out     %al, $0x80
                    hlt
            """)
    void handlersSeeTheVcpuWhoseExitTheyServe(KvmVm vm) {
        vm.onPortIn(0x99, (port, size) -> '0' + vm.registers().rdi());

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        for (int vcpu = 0; vcpu < 3; vcpu++) {
            assertThat(run.vcpu(vcpu).exits()).as("vCPU %d's exits", vcpu)
                    .containsExactly(VmExit.ioIn(0x99, 1), VmExit.ioOut(0x80, 1, '0' + vcpu), VmExit.hlt());
        }
        assertThat(run.portOutput(0x80)).containsExactlyInAnyOrder('0', '1', '2');
        assertThat(run.exits()).hasSize(3 * 2 + 1);
    }

    /** The BSP's debug exit ends the run while the APs still spin: they stop where they are. */
    @Test
    @KvmGuest(vcpus = 2, apEntry = 0x1010, asm = """
                    mov     $200, %cx
            delay:  loop    delay
                    mov     $7, %al
                    out     %al, $0xf4
                    hlt
                    .org    0x10
            ap:     jmp     ap
            """)
    void aStopOfOneVcpuEndsTheRunOfAll(GuestRun run) {
        assertThat(run).hasExitCode(7);
        assertThat(run.vcpu(0).stop()).isEqualTo(run.lastExit());
        assertThat(run.vcpu(1).stop().reason()).isEqualTo(ExitReason.STOPPED);
        assertThat(run.vcpu(1).stop().detail()).contains("when vCPU 0 ended the run");
        assertThat(run.vcpu(1).registers().rip()).isEqualTo(0x1010);
        assertThat(run.vcpu(1).exits()).containsExactly(run.vcpu(1).stop());
    }

    @Test
    @KvmGuest(asm = "hlt")
    void aGuestOfOneVcpuIsItsOwnVcpuZero(GuestRun run) {
        assertThat(run.vcpuCount()).isEqualTo(1);
        assertThat(run.vcpu(0).exits()).isEqualTo(run.exits());
        assertThat(run.vcpu(0).registers()).isEqualTo(run.registers());
        assertThat(run.vcpu(0).stop()).isEqualTo(run.lastExit());
        assertThatIllegalArgumentException().isThrownBy(() -> run.vcpu(1))
                .withMessage("vCPU 1 does not exist: the guest has 1 vCPU, 0");
    }

    /**
     * The APs wait, as on a PC, until the BSP has them started: it writes their index to port
     * 0x80, whose handler sends the start-up with vector 8, as a local APIC's INIT and SIPI would;
     * each AP begins in real mode at 0x8000, checks in with {@code lock xadd} and halts.
     */
    @Test
    @KvmGuest(vcpus = 3, asm = """
                    mov     $1, %al
                    out     %al, $0x80
                    mov     $2, %al
                    out     %al, $0x80
            wait:   pause
                    cmpw    $2, arrived
                    jne     wait
                    hlt
                    .org    0x100
            arrived: .word  0
                    .org    0x7000                  # 0x8000: the start-up page of vector 8
                    mov     $1, %ax
                    lock xadd %ax, arrived
                    mov     %cs, %bx
                    hlt
            """)
    void applicationProcessorsWaitForTheirStartUp(KvmVm vm) {
        vm.onPortOut(0x80, (port, size, value) -> vm.startVcpu((int) value, 8));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run.memory().readShort(0x1100)).as("APs checked in").isEqualTo(2);
        for (int ap = 1; ap <= 2; ap++) {
            assertThat(run.vcpu(ap).stop()).isEqualTo(VmExit.hlt());
            assertThat(run.vcpu(ap).registers().rbx()).as("vCPU %d's CS", ap).isEqualTo(0x800);
            assertThat(run.vcpu(ap).specialRegisters().cs().base()).isEqualTo(0x8000);
        }
    }

    @Test
    @KvmGuest(vcpus = 2, asm = "hlt")
    void anApNoOneStartsNeverRuns(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run.vcpu(1).stop().reason()).isEqualTo(ExitReason.STOPPED);
        assertThat(run.vcpu(1).stop().detail()).contains("never started");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.startVcpu(0, 8))
                .withMessage("vCPU 0 is not an application processor: the guest has vCPUs 1 to 1");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.startVcpu(1, 0x100))
                .withMessage("start-up vector 0x100 is not 0 to 0xff");
    }
}
