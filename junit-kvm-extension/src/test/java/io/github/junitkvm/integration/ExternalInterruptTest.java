package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.VmExit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Interrupts from the host ({@link KvmVm#raiseInterrupt}, {@link KvmVm#raiseNmi}), taken as a CPU
 * takes them, the same on every backend: through the guest's IVT or IDT, held while IF is clear
 * and for the instruction after {@code STI}, waking {@code sti; hlt}, raised between runs, from a
 * handler and from another thread; NMIs whatever IF, one at a time until {@code IRET}. The exits
 * recorded are the contract: each delivery is an {@code EXTERNAL_INTERRUPT} exit in its place.
 */
class ExternalInterruptTest {
    /** Real mode: IVT entry 0x40 leads to {@code isr}; the stack at 0x7000. */
    private static final String REAL_MODE_SETUP = """
                    xor     %ax, %ax
                    mov     %ax, %ds
                    mov     %ax, %ss
                    movw    $isr, 0x40*4
                    movw    $0, 0x40*4+2
                    mov     $0x7000, %sp
            """;

    @Test
    @KvmGuest(asm = REAL_MODE_SETUP + """
                    mov     $0, %bl
                    out     %al, $0x81      # IF is clear: the interrupt waits
                    sti
                    mov     $1, %bl         # the STI shadow: runs before the interrupt
                    mov     $2, %bl
                    hlt
            isr:    mov     %bl, %al
                    out     %al, $0x80
                    iret
            """)
    void aRealModeGuestTakesItThroughItsIvtOnceIfIsSetAndTheStiShadowIsOver(KvmVm vm) {
        vm.raiseInterrupt(0x40);

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.ioOut(0x81, 0), VmExit.externalInterrupt(0x40),
                VmExit.ioOut(0x80, 1), VmExit.hlt());
        assertThat(run).registers().hasRbx(2).hasRsp(0x7000);
    }

    @Test
    @KvmGuest(asm = REAL_MODE_SETUP + """
                    mov     $0, %bl
                    pushf
                    pop     %ax
                    or      $0x200, %ax
                    push    %ax
                    popf                    # sets IF, without a shadow
                    mov     $1, %bl
                    hlt
            isr:    mov     %bl, %al
                    out     %al, $0x80
                    iret
            """)
    void popfThatSetsIfLetsItInAtOnce(KvmVm vm) {
        vm.raiseInterrupt(0x40);

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.externalInterrupt(0x40), VmExit.ioOut(0x80, 0), VmExit.hlt());
    }

    @Test
    @KvmGuest(asm = REAL_MODE_SETUP + """
                    out     %al, $0x90      # the device raises its interrupt; IF is clear
                    mov     $after, %di
                    sti
                    hlt                     # woken by the interrupt
            after:  out     %al, $0x82
                    hlt                     # IF set, nothing requested: the run ends here
            isr:    mov     %sp, %bp
                    mov     (%bp), %si      # the return address: after the HLT
                    out     %al, $0x80
                    iret
            """)
    void stiHltWaitsForTheInterruptAndGoesOnAfterTheHlt(KvmVm vm) {
        vm.onPortOut(0x90, (port, size, value) -> vm.raiseInterrupt(0x40));

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.ioOut(0x90, 0), VmExit.externalInterrupt(0x40),
                VmExit.ioOut(0x80, 0), VmExit.ioOut(0x82, 0), VmExit.hlt());
        assertThat(run.registers().rsi()).as("the interrupt's return address").isEqualTo(run.registers().rdi());
    }

    /** The guide's example (docs/interrupts-and-vcpus.md), verbatim. */
    // tag::raise-interrupt[]
    @Test
    @KvmGuest(asm = """
            xor  %ax, %ax
            mov  %ax, %ds
            movw $isr, 0x24*4       # IVT entry 0x24
            movw $0, 0x24*4+2
            mov  $0x7000, %sp
            out  %al, $0x90         # asks the device for data; IF is still clear
            sti
            hlt                     # sleeps until the device interrupts
            hlt                     # IF set, nothing pending: the run ends here
    isr:    in   $0x91, %al         # the data
            iret
            """)
    void deviceInterrupt(KvmVm vm) {
        vm.onPortOut(0x90, (port, size, value) -> vm.raiseInterrupt(0x24));
        vm.onPortIn(0x91, (port, size) -> 'k');

        assertThat(vm.run()).haltedNormally().exits().containsExactly(
                VmExit.ioOut(0x90, 0), VmExit.externalInterrupt(0x24), VmExit.ioIn(0x91, 1), VmExit.hlt());
    }
    // end::raise-interrupt[]

    @Test
    @KvmGuest(asm = REAL_MODE_SETUP + """
                    cli
                    hlt
                    hlt                     # where the second run halts, after the interrupt
            isr:    out     %al, $0x80
                    iret
            """)
    void aHaltWithIfClearEndsTheRunWithTheInterruptStillWaiting(KvmVm vm) {
        vm.raiseInterrupt(0x40);

        GuestRun halted = vm.run();

        assertThat(halted).exits().containsExactly(VmExit.hlt());
        vm.setRegisters(vm.registers().withRflags(vm.registers().rflags() | 0x200));
        assertThat(vm.run()).exits().containsExactly(VmExit.externalInterrupt(0x40), VmExit.ioOut(0x80, 0),
                VmExit.hlt());
    }

    /** A UART-like device: the guest asks for a byte, the device raises IRQ 4's vector, the ISR reads it. */
    @Test
    @KvmGuest(asm = """
                    xor     %ax, %ax
                    mov     %ax, %ds
                    movw    $isr, 0x24*4
                    movw    $0, 0x24*4+2
                    mov     $0x7000, %sp
                    sti
                    out     %al, $0x90      # start receiving
            wait:   cmpb    $0, received
                    je      wait
                    mov     received, %al
                    mov     $0x3f8, %dx
                    out     %al, %dx
                    hlt
            isr:    push    %ax
                    in      $0x91, %al      # the received byte; reading it clears the request
                    mov     %al, received
                    pop     %ax
                    iret
            received:
                    .byte   0
            """)
    void aDeviceModelRaisesItsInterruptFromAPortHandler(KvmVm vm) {
        vm.onPortOut(0x90, (port, size, value) -> vm.raiseInterrupt(0x24));
        vm.onPortIn(0x91, (port, size) -> 'k');

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().hasSerialOutput("k");
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x90, 0), VmExit.externalInterrupt(0x24),
                VmExit.ioIn(0x91, 1), VmExit.ioOut(0x3f8, 'k'), VmExit.hlt());
    }

    @Test
    @KvmGuest(memory = @Memory(guestAddress = 0, size = 0x10000), asm = REAL_MODE_SETUP + """
                    mov     $0x2000, %ax
                    mov     %ax, %es
                    sti
                    nop
                    movb    %es:0, %bl      # MMIO: the device raises its interrupt as it answers
                    hlt
            isr:    mov     %bl, %al        # the read has completed before the interrupt
                    out     %al, $0x80
                    iret
            """)
    void anMmioHandlerRaisesItAndTheAccessCompletesFirst(KvmVm vm) {
        vm.onMmio(0x20000, 0x1000, (address, size) -> {
            vm.raiseInterrupt(0x40);
            return 0x5a;
        });

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.mmioRead(0x20000, 1), VmExit.externalInterrupt(0x40),
                VmExit.ioOut(0x80, 0x5a), VmExit.hlt());
    }

    @Test
    @KvmGuest(asm = REAL_MODE_SETUP + """
                    sti
                    out     %al, $0x90      # tells the test the guest spins
            spin:   cmpb    $0, done
                    je      spin
                    hlt
            isr:    movb    $1, done
                    iret
            done:   .byte   0
            """)
    void anotherThreadRaisesItWhileTheGuestSpins(KvmVm vm) throws InterruptedException {
        CountDownLatch spinning = new CountDownLatch(1);
        vm.onPortOut(0x90, (port, size, value) -> spinning.countDown());
        Thread raiser = new Thread(() -> {
            try {
                if (spinning.await(10, TimeUnit.SECONDS)) {
                    Thread.sleep(50); // well into the spin loop
                    vm.raiseInterrupt(0x40);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        raiser.start();

        GuestRun run = vm.run();
        raiser.join();

        assertThat(run).exits().containsExactly(VmExit.ioOut(0x90, 0), VmExit.externalInterrupt(0x40), VmExit.hlt());
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    lea     idt+0x40*8, %edi
                    mov     $isr, %eax
                    mov     %ax, (%edi)
                    mov     %cs, %dx
                    mov     %dx, 2(%edi)
                    movw    $0x8e00, 4(%edi)  # a 32-bit interrupt gate
                    shr     $16, %eax
                    mov     %ax, 6(%edi)
                    lidt    idtr
                    mov     $back, %edi
                    sti
                    nop
            back:   hlt
            isr:    mov     (%esp), %esi    # the return EIP; no error code below it
                    pushf
                    pop     %ecx            # the gate cleared IF
                    out     %al, $0x80
                    iret
                    .balign 8
            idt:    .fill   0x41*8, 1, 0
            idtr:   .word   0x41*8-1
                    .long   idt
            """)
    void aProtectedModeGuestTakesItThroughItsIdt(KvmVm vm) {
        vm.raiseInterrupt(0x40);

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.externalInterrupt(0x40), VmExit.ioOut(0x80, 0), VmExit.hlt());
        assertThat(run.registers().rsi()).as("return EIP").isEqualTo(run.registers().rdi());
        assertThat(run.registers().rcx() & 0x200).as("IF in the handler").isZero();
        assertThat(run).registers().hasRsp(0x8000);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov     $0x8000, %rsp
                    lea     idt+0xe0*16(%rip), %rdi
                    lea     isr(%rip), %rax
                    mov     %ax, (%rdi)
                    mov     %cs, %dx
                    mov     %dx, 2(%rdi)
                    movw    $0x8e00, 4(%rdi)  # a 64-bit interrupt gate
                    shr     $16, %rax
                    mov     %ax, 6(%rdi)
                    shr     $16, %rax
                    mov     %eax, 8(%rdi)
                    lidt    idtr(%rip)
                    lea     back(%rip), %rdi
                    sti
                    nop
            back:   hlt
            isr:    mov     (%rsp), %rsi    # the return RIP
                    mov     24(%rsp), %rbx  # the pushed RSP
                    out     %al, $0x80
                    iretq
                    .balign 16
            idt:    .fill   0xe1*16, 1, 0
            idtr:   .word   0xe1*16-1
                    .quad   idt
            """)
    void aLongModeGuestTakesItThroughItsIdt(KvmVm vm) {
        vm.raiseInterrupt(0xe0);

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.externalInterrupt(0xe0), VmExit.ioOut(0x80, 0), VmExit.hlt());
        assertThat(run.registers().rsi()).as("return RIP").isEqualTo(run.registers().rdi());
        assertThat(run).registers().hasRbx(0x8000).hasRsp(0x8000);
    }

    @Test
    @KvmGuest(asm = REAL_MODE_SETUP + """
                    movw    $nmi, 2*4
                    movw    $0, 2*4+2
                    cli
                    mov     $0, %bl
                    out     %al, $0x90      # the test raises an NMI: taken after this OUT, IF clear
                    mov     $1, %bl
                    hlt
            nmi:    mov     %bl, %al
                    out     %al, $0x80
                    iret
            isr:    iret
            """)
    void anNmiIsTakenWhileIfIsClear(KvmVm vm) {
        vm.onPortOut(0x90, (port, size, value) -> vm.raiseNmi());

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.ioOut(0x90, 0), VmExit.ioOut(0x80, 0), VmExit.hlt());
        assertThat(run).registers().hasRbx(1);
    }

    @Test
    @KvmGuest(asm = REAL_MODE_SETUP + """
                    movw    $nmi, 2*4
                    movw    $0, 2*4+2
                    mov     $0, %cl
                    out     %al, $0x90      # the test raises the first NMI
                    out     %al, $0x84
                    hlt
            nmi:    inc     %cl
                    mov     %cl, %al
                    out     %al, $0x80
                    out     %al, $0x91      # the first time, the test raises two more
                    out     %al, $0x83      # still in the handler: no NMI nests
                    iret
            isr:    iret
            """)
    void nmisWaitForTheHandlersIretAndOnlyOneWaits(KvmVm vm) {
        AtomicInteger raisedInHandler = new AtomicInteger();
        vm.onPortOut(0x90, (port, size, value) -> vm.raiseNmi());
        vm.onPortOut(0x91, (port, size, value) -> {
            if (raisedInHandler.getAndIncrement() == 0) {
                vm.raiseNmi();
                vm.raiseNmi();
            }
        });

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.ioOut(0x90, 0),
                VmExit.ioOut(0x80, 1), VmExit.ioOut(0x91, 1), VmExit.ioOut(0x83, 1),
                VmExit.ioOut(0x80, 2), VmExit.ioOut(0x91, 2), VmExit.ioOut(0x83, 2),
                VmExit.ioOut(0x84, 2), VmExit.hlt());
    }

    @Test
    @KvmGuest(code = "f4")
    void aVectorOutsideTheExternalRangeIsRefusedByName(KvmVm vm) {
        for (int vector : new int[] {-1, 0, 2, 31, 256}) {
            assertThatThrownBy(() -> vm.raiseInterrupt(vector))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("raiseInterrupt(" + vector + ")")
                    .hasMessageContaining("32 to 255");
        }
        assertThat(vm.run()).stoppedWith(ExitReason.HLT);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    sti
                    nop
                    hlt
            """)
    void anInterruptThroughAnEmptyIdtShutsTheGuestDown(KvmVm vm) {
        vm.raiseInterrupt(0x40);

        GuestRun run = vm.run();

        // #GP for the gate beyond the limit, #DF for the #GP's, then a triple fault: as on a CPU.
        assertThat(run).stoppedWith(ExitReason.SHUTDOWN);
        assertThat(run).exits().containsExactly(VmExit.externalInterrupt(0x40), VmExit.shutdown());
    }

    @Test
    @KvmGuest(code = "f4")
    void aClosedVmRefusesInterrupts(KvmVm vm) {
        vm.close();

        assertThatThrownBy(() -> vm.raiseInterrupt(0x40)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(vm::raiseNmi).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
