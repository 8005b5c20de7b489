package io.github.junitkvm.guest;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The seam device models build on: interrupt controllers wired to the vCPU's {@code INTR} pin, and
 * idle participants told when the guest halts with interrupts enabled and nothing requested, on
 * the backend the tests run on.
 */
class InterruptPinTest {
    /** IVT entries 0x40 and 0x41 lead to handlers that report their vector on port 0x80. */
    private static final String GUEST = """
                    xor     %ax, %ax
                    mov     %ax, %ds
                    movw    $isr40, 0x40*4
                    movw    $0, 0x40*4+2
                    movw    $isr41, 0x41*4
                    movw    $0, 0x41*4+2
                    mov     $0x7000, %sp
                    sti
                    hlt
                    out     %al, $0x82
                    hlt
            isr40:  mov     $0x40, %al
                    out     %al, $0x80
                    iret
            isr41:  mov     $0x41, %al
                    out     %al, $0x80
                    iret
            """;

    @Test
    @KvmGuest(asm = GUEST)
    void anIdleParticipantWakesTheHaltedGuestByMakingAnInterruptPending(KvmVm vm) {
        InterruptPin pin = ((GuestVm) vm).interruptPin();
        Controller timer = new Controller(pin, 0x41);
        AtomicInteger idleCalls = new AtomicInteger();
        pin.whenIdle(waiting -> {
            if (idleCalls.getAndIncrement() == 0) {
                timer.raise(); // the clock reached the timer's deadline
            }
        });

        assertThat(vm.run()).exits().containsExactly(VmExit.externalInterrupt(0x41), VmExit.ioOut(0x80, 0x41),
                VmExit.ioOut(0x82, 0x41), VmExit.hlt());
        assertThat(idleCalls).as("told at each halt with IF set and nothing requested").hasValue(2);
    }

    @Test
    @KvmGuest(asm = GUEST)
    void theFirstRequestingControllerAnswersTheAcknowledgeInOrderOfAttachment(KvmVm vm) {
        InterruptPin pin = ((GuestVm) vm).interruptPin();
        Controller first = new Controller(pin, 0x41);
        Controller second = new Controller(pin, 0x40);
        second.raise();
        first.raise();

        assertThat(vm.run()).exits().containsExactly(VmExit.externalInterrupt(0x41), VmExit.ioOut(0x80, 0x41),
                VmExit.externalInterrupt(0x40), VmExit.ioOut(0x80, 0x40), VmExit.ioOut(0x82, 0x40), VmExit.hlt());
        assertThat(first.acknowledged).containsExactly(0x41);
        assertThat(second.acknowledged).containsExactly(0x40);
    }

    @Test
    @KvmGuest(asm = GUEST)
    void aControllerThatFailsInItsAcknowledgeFailsTheRunWithItsException(KvmVm vm) {
        InterruptPin pin = ((GuestVm) vm).interruptPin();
        pin.attach(new InterruptController() {
            @Override
            public boolean requesting() {
                return true;
            }

            @Override
            public int acknowledge() {
                throw new IllegalStateException("the PIC model is broken");
            }
        });

        assertThatThrownBy(vm::run).isInstanceOf(IllegalStateException.class).hasMessage("the PIC model is broken");
    }

    /** A one-vector controller: requests from {@link #raise()} until acknowledged. */
    private static final class Controller implements InterruptController {
        private final InterruptPin pin;
        private final int vector;
        private final List<Integer> acknowledged = new ArrayList<>();
        private boolean requesting;

        Controller(InterruptPin pin, int vector) {
            this.pin = pin;
            this.vector = vector;
            pin.attach(this);
        }

        void raise() {
            synchronized (this) {
                requesting = true;
            }
            pin.outputChanged();
        }

        @Override
        public synchronized boolean requesting() {
            return requesting;
        }

        @Override
        public synchronized int acknowledge() {
            requesting = false;
            acknowledged.add(vector);
            return vector;
        }
    }
}
