package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Device;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Timer interrupt service routines driven by the modelled PIT through the PIC and by the local
 * APIC's timer, on the virtual clock: the ticks a guest counts and the time they took are exact,
 * the same on every backend, however fast the host.
 */
class TimerInterruptTest {
    /** Protected mode: an IDT with an interrupt gate for vector 0x20 at {@code isr}. */
    private static final String PROTECTED_IDT = """
                    mov     $isr, %eax
                    mov     $idt + 0x20*8, %edi
                    mov     %ax, (%edi)
                    movw    $0x08, 2(%edi)
                    movw    $0x8e00, 4(%edi)
                    shr     $16, %eax
                    mov     %ax, 6(%edi)
                    lidt    idtr
            """;
    /** The IDT and its IDTR, which {@link #PROTECTED_IDT} fills. */
    private static final String PROTECTED_IDT_TABLE = """
            idtr:   .word   256*8-1
                    .long   idt
                    .balign 8
            idt:    .fill   256*8, 1, 0
            """;
    /** An ISR counting in ECX, with a non-specific EOI to the master PIC. */
    private static final String COUNTING_PIC_ISR = """
            isr:    inc     %ecx
                    mov     $0x20, %al
                    out     %al, $0x20
                    iret
            """;
    /** The PIC pair reprogrammed as an OS does: vectors 0x20 and 0x28, only IRQ 0 unmasked. */
    private static final String REMAP_PIC = """
                    mov     $0x11, %al
                    out     %al, $0x20
                    out     %al, $0xa0
                    mov     $0x20, %al
                    out     %al, $0x21
                    mov     $0x28, %al
                    out     %al, $0xa1
                    mov     $0x04, %al
                    out     %al, $0x21
                    mov     $0x02, %al
                    out     %al, $0xa1
                    mov     $0x01, %al
                    out     %al, $0x21
                    out     %al, $0xa1
                    mov     $0xfe, %al
                    out     %al, $0x21
                    mov     $0xff, %al
                    out     %al, $0xa1
            """;

    @Test
    @KvmGuest(devices = {Device.PIC, Device.PIT}, asm = """
                    movw    $isr, 0x08*4        # IRQ 0 is vector 8, as the BIOS left the PIC
                    movw    $0, 0x08*4+2
                    mov     $0x34, %al          # channel 0, lo/hi, mode 2
                    out     %al, $0x43
                    mov     $0x9c, %al          # 11932: 100 Hz
                    out     %al, $0x40
                    mov     $0x2e, %al
                    out     %al, $0x40
                    mov     $0xfa, %al          # unmask IRQ 0
                    out     %al, $0x21
                    xor     %cx, %cx
            wait:   sti
                    hlt
                    cmp     $5, %cx
                    jb      wait
                    cli
                    hlt
            isr:    inc     %cx
                    mov     $0x20, %al          # non-specific EOI
                    out     %al, $0x20
                    iret
            """)
    void aRealModeIsrCountsPitTicksThroughThePic(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRcx(5);
        assertThat(run.exits()).filteredOn(exit -> exit.reason() == ExitReason.EXTERNAL_INTERRUPT)
                .containsExactly(VmExit.externalInterrupt(8), VmExit.externalInterrupt(8), VmExit.externalInterrupt(8),
                        VmExit.externalInterrupt(8), VmExit.externalInterrupt(8));
        assertThat(vm.clock().now()).as("5 periods of 11932 ticks at 1.193182 MHz")
                .isEqualTo(Duration.ofNanos(50_000_755));
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, devices = {Device.PIC, Device.PIT}, asm = PROTECTED_IDT + REMAP_PIC + """
                    mov     $0x36, %al          # channel 0, lo/hi, mode 3 (square wave)
                    out     %al, $0x43
                    mov     $0xa9, %al          # 1193: 1 kHz
                    out     %al, $0x40
                    mov     $0x04, %al
                    out     %al, $0x40
                    xor     %ecx, %ecx
            wait:   sti
                    hlt
                    cmp     $10, %ecx
                    jb      wait
                    cli
                    hlt
            """ + COUNTING_PIC_ISR + PROTECTED_IDT_TABLE)
    void aProtectedModeIsrCountsPitTicksAfterTheGuestRemapsThePic(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRcx(10);
        assertThat(run.exits()).filteredOn(exit -> exit.reason() == ExitReason.EXTERNAL_INTERRUPT)
                .hasSize(10).allMatch(exit -> exit.value() == 0x20);
        assertThat(vm.clock().now()).isEqualTo(Duration.ofNanos(9_998_475));
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, devices = Device.LOCAL_APIC, asm = """
                    mov     $isr, %rax
                    mov     $idt + 0x40*16, %rdi
                    mov     %ax, (%rdi)
                    movw    $0x18, 2(%rdi)
                    movw    $0x8e00, 4(%rdi)
                    shr     $16, %rax
                    mov     %ax, 6(%rdi)
                    shr     $16, %rax
                    mov     %eax, 8(%rdi)
                    lidt    idtr
                    movl    $0xfee00000, %ebx
                    movl    $0x1ff, 0xf0(%rbx)  # SVR: software enable, spurious vector 0xff
                    movl    $0xb, 0x3e0(%rbx)   # divide by 1
                    movl    $0x20040, 0x320(%rbx)   # LVT timer: periodic, vector 0x40
                    movl    $1000000, 0x380(%rbx)   # 1 ms of the 1 GHz bus clock
                    xor     %ecx, %ecx
            wait:   sti
                    hlt
                    cmp     $3, %ecx
                    jb      wait
                    cli
                    hlt
            isr:    inc     %ecx
                    movl    $0, 0xb0(%rbx)      # EOI
                    iretq
            idtr:   .word   256*16-1
                    .quad   idt
                    .balign 16
            idt:    .fill   256*16, 1, 0
            """)
    void aLongModeIsrCountsPeriodicLocalApicTimerTicks(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRcx(3);
        assertThat(run.exits()).filteredOn(exit -> exit.reason() == ExitReason.EXTERNAL_INTERRUPT)
                .containsExactly(VmExit.externalInterrupt(0x40), VmExit.externalInterrupt(0x40),
                        VmExit.externalInterrupt(0x40));
        assertThat(vm.clock().now()).isEqualTo(Duration.ofMillis(3));
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, devices = Device.LOCAL_APIC, asm = PROTECTED_IDT + """
                    mov     $0xfee00000, %ebx
                    movl    $0x1ff, 0xf0(%ebx)
                    movl    $0x3, 0x3e0(%ebx)   # divide by 16
                    movl    $0x20, 0x320(%ebx)  # LVT timer: one-shot, vector 0x20
                    movl    $62500, 0x380(%ebx) # 62500 x 16 ns = 1 ms
                    xor     %ecx, %ecx
                    sti
                    hlt                         # woken by the one shot
                    hlt                         # nothing more will come: the run stops here
            isr:    inc     %ecx
                    mov     0x390(%ebx), %edx   # the current count: 0 once expired
                    movl    $0, 0xb0(%ebx)
                    iret
            """ + PROTECTED_IDT_TABLE)
    void aOneShotLocalApicTimerFiresOnceAndTheNextHltEndsTheRun(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRcx(1).hasRdx(0);
        assertThat(vm.clock().now()).as("1 ms, and 1 µs for the read of the current count")
                .isEqualTo(Duration.ofNanos(1_001_000));
    }

    @Test
    @KvmGuest(devices = {Device.PIC, Device.PIT}, asm = """
                    mov     $0x01, %al          # port 0x61: channel 2's gate up
                    out     %al, $0x61
                    mov     $0xb0, %al          # channel 2, lo/hi, mode 0
                    out     %al, $0x43
                    mov     $0xa9, %al          # 1193 ticks: 1 ms
                    out     %al, $0x42
                    mov     $0x04, %al
                    out     %al, $0x42
                    xor     %cx, %cx
            poll:   inc     %cx
                    in      $0x61, %al
                    test    $0x20, %al          # OUT2
                    jz      poll
                    hlt
            """)
    void aCalibrationLoopPollingChannel2SeesTimeMoveOneMicrosecondPerRead(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRcx(1000);
        assertThat(vm.clock().now()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    @KvmGuest(devices = {Device.PIC, Device.PIT}, asm = """
                    movw    $isr, 0x08*4
                    movw    $0, 0x08*4+2
                    mov     $0x30, %al          # channel 0, lo/hi, mode 0: one interrupt
                    out     %al, $0x43
                    mov     $0xff, %al
                    out     %al, $0x40
                    out     %al, $0x40
                    mov     $0xfa, %al
                    out     %al, $0x21
                    xor     %cx, %cx
                    cli
                    hlt                         # IF clear: the run stops, the clock stays
                    sti
                    nop
                    hlt
            isr:    inc     %cx
                    mov     $0x20, %al
                    out     %al, $0x20
                    iret
            """)
    void theTestMovesTheClockBetweenRunsAndTheGuestTakesWhatFellDue(KvmVm vm) {
        assertThat(vm.run()).haltedNormally().registers().hasRcx(0);
        assertThat(vm.clock().now()).isEqualTo(Duration.ZERO);

        vm.clock().advance(Duration.ofMillis(60));
        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRcx(1);
        assertThat(run).exits().containsExactly(VmExit.externalInterrupt(8), VmExit.ioOut(0x20, 0x20), VmExit.hlt());
        assertThat(vm.clock().now()).isEqualTo(Duration.ofMillis(60));
    }

    @Test
    @KvmGuest(devices = {Device.PIC, Device.PIT}, asm = """
                    in      $0x61, %al
                    hlt
            """)
    void aTestHandlerOnADevicePortAnswersInsteadOfTheDevice(KvmVm vm) {
        vm.onPortIn(0x61, (port, size) -> 0x5a);

        assertThat(vm.run()).registers().hasRax(0x5a);
        assertThat(vm.clock().now()).as("the PIT saw no read").isEqualTo(Duration.ZERO);
    }

    @Test
    @KvmGuest(devices = {Device.PIC, Device.PIT}, asm = """
                    movw    $isr, 0x08*4
                    movw    $0, 0x08*4+2
                    mov     $0x30, %al          # channel 0, lo/hi, mode 0: 1193 ticks, 1 ms
                    out     %al, $0x43
                    mov     $0xa9, %al
                    out     %al, $0x40
                    mov     $0x04, %al
                    out     %al, $0x40
                    mov     $0xfa, %al
                    out     %al, $0x21
                    xor     %bx, %bx
                    sti
                    out     %al, $0x80          # the test's handler lets 2 ms pass
                    mov     $1, %bx
                    cli
                    hlt
            isr:    mov     %bx, %dx
                    mov     $0x20, %al
                    out     %al, $0x20
                    iret
            """)
    void aHandlerThatMovesTheClockGetsTheTickRightAfterItsInstruction(KvmVm vm) {
        vm.onPortOut(0x80, (port, size, value) -> vm.clock().advance(Duration.ofMillis(2)));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRdx(0).hasRbx(1);
        assertThat(run).exits().endsWith(VmExit.ioOut(0x80, 0xfa), VmExit.externalInterrupt(8),
                VmExit.ioOut(0x20, 0x20), VmExit.hlt());
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, devices = {Device.PIC, Device.PIT, Device.LOCAL_APIC},
              asm = PROTECTED_IDT + REMAP_PIC + """
                    mov     $0xfee00000, %ebx
                    movl    $0x1ff, 0xf0(%ebx)  # APIC software-enabled; LINT0 stays ExtINT
                    mov     $0x34, %al          # PIT channel 0, mode 2, 1193 ticks
                    out     %al, $0x43
                    mov     $0xa9, %al
                    out     %al, $0x40
                    mov     $0x04, %al
                    out     %al, $0x40
                    xor     %ecx, %ecx
            wait:   sti
                    hlt
                    cmp     $3, %ecx
                    jb      wait
                    movl    $0xff, 0xf0(%ebx)   # software-disabled: LINT0 masked, the PIC cut off
                    hlt                         # nothing wakes it any more: the run ends here
            """ + COUNTING_PIC_ISR + PROTECTED_IDT_TABLE)
    void withALocalApicThePitsTicksComeThroughLint0UntilTheApicIsDisabled(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRcx(3);
        assertThat(run.exits()).filteredOn(exit -> exit.reason() == ExitReason.EXTERNAL_INTERRUPT).hasSize(3);
        assertThat(vm.clock().now()).as("the fourth tick latched IRQ 0, which can no longer reach the CPU")
                .isEqualTo(Duration.ofNanos(3_999_390));
    }

    @Test
    @KvmGuest(devices = Device.PIC, asm = """
                    movw    $isr, 0x71*4        # IRQ 9: vector 0x71, as the BIOS left the slave PIC
                    movw    $0, 0x71*4+2
                    in      $0xa1, %al
                    and     $0xfd, %al          # unmask IRQ 9
                    out     %al, $0xa1
                    sti
                    hlt
                    cli
                    hlt
            isr:    mov     $0x71, %dx
                    mov     $0x20, %al
                    out     %al, $0xa0          # EOI to the slave, then the master
                    out     %al, $0x20
                    iret
            """)
    void aTestRaisesAnIrqLineOfThePic(KvmVm vm) {
        vm.raiseIrq(9);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRdx(0x71);
        assertThat(run).exits().contains(VmExit.externalInterrupt(0x71));
        assertThatThrownBy(() -> vm.raiseIrq(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raise IRQ 9");
    }

    @Test
    @KvmGuest(code = "f4")
    void irqsNeedThePicAndTheClockOnlyGoesForward(KvmVm vm) {
        assertThatThrownBy(() -> vm.raiseIrq(4)).isInstanceOf(IllegalStateException.class)
                .hasMessage("raiseIrq(4): IRQ lines are the PIC's, which this guest does not have:"
                        + " @KvmGuest(devices = Device.PIC)");
        assertThatThrownBy(() -> vm.clock().advance(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot go back");
        assertThatThrownBy(() -> vm.clock().advance(Duration.ofDays(365 * 300)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2^63 - 1 ns");
        vm.clock().advance(Duration.ofSeconds(1));
        assertThat(vm.clock().now()).as("without timers the clock still keeps time").isEqualTo(Duration.ofSeconds(1));
    }
}
