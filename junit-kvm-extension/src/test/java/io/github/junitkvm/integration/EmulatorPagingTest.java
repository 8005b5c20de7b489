package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.LoadedUnicorn;
import org.junit.jupiter.api.Test;

/**
 * Pins a documented difference (docs/backends.md, "What the emulator cannot do"): Unicorn 2.0.1 walks the
 * page tables but then uses the virtual address as the physical one, so only identity mappings
 * work there; Unicorn 2.1.0 and later translate as the CPU does. The guest maps the virtual 2 MiB
 * page at 0x200000 onto physical 0 and reads through it: KVM and Unicorn 2.1 read its own code at
 * physical 0x1000; Unicorn 2.0.1 reads physical 0x201000, beyond the 2 MiB of RAM, which is an
 * MMIO read answered with all ones.
 */
class EmulatorPagingTest {
    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    movq    $0x83, 0x1fc008     # PD[1] of the extension's tables: 0x200000 -> physical 0
                    mov     %cr3, %rax          # flush the TLB
                    mov     %rax, %cr3
                    mov     0x201000, %ebx      # the first code bytes, through the new mapping
                    hlt
            """)
    void onlyIdentityMappingsWorkOnUnicorn201(GuestRun run) {
        assertThat(run).haltedNormally();
        if (run.backend() == Backend.KVM || LoadedUnicorn.isAtLeast(2, 1, 0)) {
            assertThat(run).exits().containsExactly(VmExit.hlt());
            assertThat(run).registers().hasRbx(run.memory().readInt(0x1000) & 0xffff_ffffL);
        } else {
            assertThat(run).exits().containsExactly(VmExit.mmioRead(0x201000, 4), VmExit.hlt());
            assertThat(run).registers().hasRbx(0xffff_ffffL);
        }
    }

    /**
     * Code the test rewrites runs rewritten, also where the guest's own page tables map it at
     * another virtual address, and its physical address, taken as a virtual one, leads elsewhere:
     * the guest maps virtual 0x400000 onto physical 0x200000, where it copies a function, and
     * virtual 0x200000 onto physical 0. Unicorn 2.0.1 takes the virtual addresses as physical
     * ones (above): the guest copies and runs the function at physical 0x400100, which the test
     * does not rewrite.
     */
    @Test
    @KvmGuest(mode = CpuMode.LONG, memory = @Memory(size = 0x800000), asm = """
                    mov     %cr3, %rax
                    mov     (%rax), %rax        # the PML4's first entry: the PDPT
                    and     $~0xfff, %rax
                    mov     (%rax), %rax        # the PDPT's first entry: the PD
                    and     $~0xfff, %rax
                    movq    $0x83, 8(%rax)      # virtual 0x200000 -> physical 0
                    movq    $0x200083, 16(%rax) # virtual 0x400000 -> physical 0x200000
                    mov     %cr3, %rcx
                    mov     %rcx, %cr3
                    lea     function(%rip), %rsi
                    mov     $0x400100, %rdi     # physical 0x200100
                    mov     $6, %ecx
                    rep movsb
                    mov     $0x400100, %rax
                    call    *%rax
                    mov     %ebx, %edx
                    out     %al, $0x60          # the handler rewrites the function's immediate
                    mov     $0x400100, %rax
                    call    *%rax
                    hlt
            function:
                    mov     $1, %ebx
                    ret
            """)
    void codeRewrittenAtItsPhysicalAddressRunsRewrittenUnderTheGuestsMapping(KvmVm vm) {
        vm.onPortOut(0x60, (port, size, value) -> vm.memory().writeByte(0x200101, 2));
        GuestRun run = vm.run();
        boolean translates = run.backend() == Backend.KVM || LoadedUnicorn.isAtLeast(2, 1, 0);
        assertThat(run).haltedNormally().registers().hasRdx(1).hasRbx(translates ? 2 : 1);
    }
}
