package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.testsupport.DisabledOnPvm;
import org.junit.jupiter.api.Test;

/**
 * {@code @KvmGuest(asm)} beyond real mode: the source is assembled for the mode's width
 * ({@code .code32}, {@code .code64}), so the same kind of program uses 32- and 64-bit registers
 * and absolute labels in the flat address space the extension sets up.
 */
class AssembledModesTest {
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $0x3f8, %dx
                    mov $msg, %esi
                    mov $3, %ecx
                    rep outsb
                    mov $0x12345678, %eax
                    mov msg, %ebx           # a 32-bit load from the absolute address of msg
                    hlt
            msg:    .ascii "32\\n"
            """)
    void protectedModeRunsThirtyTwoBitCode(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("32\n");
        assertThat(run).registers().hasRax(0x12345678).hasRbx(0x000a3233);
    }

    @Test
    @DisabledOnPvm
    @KvmGuest(mode = CpuMode.PAGED, asm = """
                    mov     $0x3f8, %dx
                    mov     $'G', %al
                    out     %al, %dx
                    mov     %cr0, %ebx          # PG and PE
                    mov     page, %ecx          # a load through the identity-mapped tables
                    hlt
            page:   .long   0xcafe
            """)
    void pagedModeRunsThirtyTwoBitCodeWithPaging(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("G");
        assertThat(run.registers().rbx() & 0x8000_0001L).isEqualTo(0x8000_0001L);
        assertThat(run).registers().hasRcx(0xcafe);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov $0x3f8, %dx
                    lea msg(%rip), %rsi
                    mov $3, %ecx
                    rep outsb
                    movabs $0x1122334455667788, %rax
                    lea msg(%rip), %rbx
                    hlt
            msg:    .ascii "64\\n"
            """)
    void longModeRunsSixtyFourBitCode(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("64\n");
        assertThat(run).registers().hasRax(0x1122334455667788L).hasRbx(0x1024);
        assertThat(run.specialRegisters().efer() & 0x400).as("EFER.LMA").isEqualTo(0x400);
    }
}
