package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import org.junit.jupiter.api.Test;

/**
 * 32-bit guests whose IDT and stack are at virtual addresses their page tables map elsewhere: the
 * CPU reads the gate and writes the frame at the physical addresses the tables give, and marks the
 * mapping accessed and dirty, with 32-bit paging (4 MiB pages) and PAE paging (2 MiB pages) alike.
 * {@code PrivilegedDeliveryTest} does it in long mode.
 */
class PagedDeliveryTest {
    /** Sets the IDT gate of vector 0x40 to {@code handler}, an interrupt gate of code segment 0x08. */
    private static final String GATE_AND_HANDLER = """
            gate:   lea     idt+0x40*8, %edi
                    mov     $handler, %eax
                    mov     %ax, (%edi)
                    movw    $0x08, 2(%edi)
                    movw    $0x8e00, 4(%edi)
                    shr     $16, %eax
                    mov     %ax, 6(%edi)
                    ret
            handler:
                    mov     %esp, %ebp
                    mov     $after, %esi
                    hlt
                    .balign 8
            idt:    .fill   0x41*8, 1, 0
            idtr:   .word   0x41*8-1
                    .long   0
            """;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov     $0x8000, %esp
                    call    gate
                    movl    $0x83, pd       # virtual 0: a 4 MiB page at physical 0
                    movl    $0x83, pd+4     # virtual 4 MiB: the same page
                    mov     %cr4, %eax
                    or      $0x10, %eax     # PSE
                    mov     %eax, %cr4
                    mov     $pd, %eax
                    mov     %eax, %cr3
                    mov     %cr0, %eax
                    or      $0x80000000, %eax
                    mov     %eax, %cr0
                    movl    $idt+0x400000, idtr+2
                    lidt    idtr
                    mov     $pd, %edi
                    mov     $0x407000, %esp
                    int     $0x40
            after:  hlt
            """ + GATE_AND_HANDLER + """
                    .balign 4096
            pd:     .fill   1024, 4, 0
            """)
    void thirtyTwoBitPagingWithLargePages(GuestRun run) {
        assertDeliveredThroughTheAlias(run, 0x400000, run.memory().readInt(run.registers().rdi() + 4));
    }

    @Test
    @KvmGuest(mode = CpuMode.PAGED, asm = """
                    mov     $0x8000, %esp
                    call    gate
                    mov     %cr3, %eax
                    mov     (%eax), %edi
                    and     $-4096, %edi    # the first page directory
                    mov     (%edi), %ecx
                    and     $~0x60, %ecx    # not accessed, not dirty
                    mov     %ecx, 8(%edi)   # virtual 2 MiB: physical 0, as virtual 0
                    mov     4(%edi), %ecx
                    mov     %ecx, 12(%edi)
                    mov     %eax, %cr3
                    movl    $idt+0x200000, idtr+2
                    lidt    idtr
                    mov     $0x207000, %esp
                    int     $0x40
            after:  hlt
            """ + GATE_AND_HANDLER)
    void paePagingWithLargePages(GuestRun run) {
        assertDeliveredThroughTheAlias(run, 0x200000, run.memory().readLong(run.registers().rdi() + 8));
    }

    /**
     * @param alias where the second mapping of physical 0 starts, the stack at 0x7000 above it
     * @param entry that mapping's page-directory entry after the run
     */
    private static void assertDeliveredThroughTheAlias(GuestRun run, long alias, long entry) {
        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRbp(alias + 0x7000 - 12);
        assertThat(run.memory().readInt(0x7000 - 12)).as("the pushed EIP, in physical memory")
                .isEqualTo(run.registers().rsi());
        assertThat(entry & 0x60).as("the mapping's accessed and dirty bits").isEqualTo(0x60);
    }
}
