package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.VmExit;
import org.junit.jupiter.api.Test;

/**
 * A stack outside RAM when an interrupt is delivered: a CPU writes the frame to the device there.
 * KVM cannot: it emulates what the CPU leaves to it, and event delivery into MMIO is beyond its
 * emulator, so the run stops with {@code INTERNAL_ERROR} (docs/backends.md, the emulator's differences). The
 * emulator writes the frame as the CPU does, in MMIO exits.
 */
class MmioDeliveryTest {
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    lea     idt+0x40*8, %edi
                    mov     $handler, %eax
                    mov     %ax, (%edi)
                    movw    $0x08, 2(%edi)
                    movw    $0x8e00, 4(%edi)
                    shr     $16, %eax
                    mov     %ax, 6(%edi)
                    lidt    idtr
                    mov     $0x80001000, %esp
                    int     $0x40
            after:  hlt
            handler:
                    mov     %esp, %ebp
                    mov     $after, %esi
                    mov     $0x3f8, %dx
                    mov     $'H', %al
                    out     %al, %dx
                    hlt
                    .balign 8
            idt:    .fill   0x41*8, 1, 0
            idtr:   .word   0x41*8-1
                    .long   idt
            """)
    void aStackFrameInMmioIsWrittenToTheDevice(GuestRun run) {
        if (run.backend() == Backend.KVM) {
            assertThat(run).stoppedWith(ExitReason.INTERNAL_ERROR);
            return;
        }
        assertThat(run).haltedNormally().hasSerialOutput("H");
        assertThat(run).registers().hasRbp(0x80001000L - 12);
        VmExit flags = run.exits().get(0);
        assertThat(run).exits().startsWith(VmExit.mmioWrite(0x80000ffcL, 4, flags.value()),
                VmExit.mmioWrite(0x80000ff8L, 4, 0x08), VmExit.mmioWrite(0x80000ff4L, 4, run.registers().rsi()));
        assertThat(flags.value() & 0x202).as("the pushed EFLAGS: bit 1, IF clear").isEqualTo(2);
    }
}
