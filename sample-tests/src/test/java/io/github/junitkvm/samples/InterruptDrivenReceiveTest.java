package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An interrupt-driven serial receive path, as a small kernel writes it: the driver enables the
 * UART's "received data" interrupt and sleeps in {@code sti; hlt}; its interrupt service routine
 * drains the receive buffer into a line buffer; once a line ends with a carriage return, the driver
 * echoes it. The UART's receive side is a device model in Java that raises the interrupt (IRQ 4, as
 * vector 0x24 here) when a byte arrives and the guest has enabled it.
 */
@KvmGuest(asm = """
                xor     %ax, %ax
                mov     %ax, %ds
                movw    $uart_isr, VECTOR*4
                movw    $0, VECTOR*4+2
                mov     $0x7000, %sp
                mov     $0x3f9, %dx
                mov     $1, %al         # IER: interrupt when data is received
                out     %al, %dx
        wait:   cli                     # look at the buffer with the ISR kept out
                mov     head, %bx
                test    %bx, %bx
                jz      sleep
                cmpb    $'\\r', line-1(%bx)
                je      echo
        sleep:  sti                     # the shadow: no interrupt between STI and HLT
                hlt
                jmp     wait
        echo:   xor     %si, %si
                mov     $0x3f8, %dx
        print:  mov     line(%si), %al
                out     %al, %dx
                inc     %si
                cmp     %bx, %si
                jne     print
                hlt                     # IF clear: done

        uart_isr:
                push    %ax
                push    %bx
                push    %dx
                mov     head, %bx
        drain:  mov     $0x3fd, %dx     # LSR
                in      %dx, %al
                test    $1, %al         # data ready
                jz      drained
                mov     $0x3f8, %dx     # RBR
                in      %dx, %al
                cmp     $64, %bx
                je      drain           # line full: drop the byte
                mov     %al, line(%bx)
                inc     %bx
                jmp     drain
        drained:
                mov     %bx, head
                pop     %dx
                pop     %bx
                pop     %ax
                iret

        head:   .word   0
        line:   .fill   64, 1, 0
        .set    VECTOR, 0x24
        """)
class InterruptDrivenReceiveTest {
    private static final int VECTOR = 0x24;

    /** The receive side of a 16550 at COM1: a FIFO, the "received data" interrupt enable, the data-ready bit. */
    private static final class UartReceiver {
        private final KvmVm vm;
        private final Queue<Integer> fifo = new ArrayDeque<>();
        private boolean interruptEnabled;

        UartReceiver(KvmVm vm) {
            this.vm = vm;
            vm.onPortOut(0x3f9, (port, size, value) -> {
                interruptEnabled = (value & 1) != 0;
                raiseIfDataReady();
            });
            vm.onPortIn(0x3fd, (port, size) -> 0x60 | (fifo.isEmpty() ? 0 : 1));
            vm.onPortIn(0x3f8, (port, size) -> fifo.isEmpty() ? 0 : fifo.remove());
        }

        /** Bytes arrive on the line. */
        void receive(String text) {
            text.chars().forEach(fifo::add);
            raiseIfDataReady();
        }

        private void raiseIfDataReady() {
            if (interruptEnabled && !fifo.isEmpty()) {
                vm.raiseInterrupt(VECTOR);
            }
        }
    }

    private UartReceiver uart;

    @BeforeEach
    void connectTheUart(KvmVm vm) {
        uart = new UartReceiver(vm);
    }

    @Test
    void echoesALineTheIsrReceived(KvmVm vm) {
        uart.receive("hello\r");

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().hasSerialOutput("hello\r");
        assertThat(run).exits().filteredOn(exit -> exit.reason() == ExitReason.EXTERNAL_INTERRUPT)
                .containsExactly(VmExit.externalInterrupt(VECTOR));
    }

    @Test
    void sleepsUntilTheRestOfTheLineArrives(KvmVm vm) {
        uart.receive("he");

        GuestRun waiting = vm.run();

        // The driver sleeps with interrupts enabled and nothing pending: the run ends on its HLT.
        assertThat(waiting).stoppedWith(ExitReason.HLT).serialOutput().isEmpty();
        assertThat(waiting).exits().containsExactly(VmExit.ioOut(0x3f9, 1), VmExit.externalInterrupt(VECTOR),
                VmExit.ioIn(0x3fd, 1), VmExit.ioIn(0x3f8, 1), VmExit.ioIn(0x3fd, 1), VmExit.ioIn(0x3f8, 1),
                VmExit.ioIn(0x3fd, 1), VmExit.hlt());

        uart.receive("y\r");

        assertThat(vm.run()).haltedNormally().hasSerialOutput("hey\r");
    }
}
