package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.Device;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A small kernel's timer, as it is usually written: the PIT programmed for 1000 interrupts a
 * second, an interrupt service routine on IRQ 0 counting {@code jiffies} and printing a dot per
 * tick, and {@code msleep}, which waits in {@code sti; hlt} until enough jiffies have passed. The
 * PIC, the PIT and the time they count are modelled by the extension ({@code devices}), on a
 * virtual clock: the guest sleeps 5 ms in no time at all, and the test knows the exact tick.
 */
// tag::timer-tick[]
@KvmGuest(devices = {Device.PIC, Device.PIT}, asm = """
                .set    jiffies, 0x500          # the tick count, where the test reads it
                movw    $0, jiffies
                movw    $timer_isr, 0x08*4      # IRQ 0: vector 8, as the BIOS left the PIC
                movw    $0, 0x08*4+2
                mov     $0x34, %al              # PIT channel 0: lo/hi byte, mode 2 (rate generator)
                out     %al, $0x43
                mov     $1193 & 0xff, %al       # 1193182 Hz / 1193: about 1000 Hz
                out     %al, $0x40
                mov     $1193 >> 8, %al
                out     %al, $0x40
                in      $0x21, %al              # unmask IRQ 0 on the master PIC
                and     $0xfe, %al
                out     %al, $0x21
                mov     $5, %bx                 # msleep(5)
                call    msleep
                cli
                hlt

        msleep: mov     jiffies, %ax            # wait until jiffies - start >= BX
                add     %ax, %bx
        1:      sti                             # the STI shadow: no tick is lost before HLT
                hlt
                cmp     %bx, jiffies
                jb      1b
                ret

        timer_isr:
                push    %ax
                push    %dx
                incw    jiffies
                mov     $0x3f8, %dx
                mov     $'.', %al
                out     %al, %dx
                mov     $0x20, %al              # end of interrupt
                out     %al, $0x20
                pop     %dx
                pop     %ax
                iret
        """)
class TimerTickTest {
    @Test
    void msleepWaitsFiveTicksOfTheVirtualClock(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).haltedNormally().hasSerialOutput(".....");
        assertThat(vm.memory().readShort(0x500)).as("jiffies").isEqualTo(5);
        assertThat(vm.clock().now()).as("5 periods of 1193 ticks at 1.193182 MHz").isEqualTo(Duration.ofNanos(4_999_238));
    }
}
// end::timer-tick[]
