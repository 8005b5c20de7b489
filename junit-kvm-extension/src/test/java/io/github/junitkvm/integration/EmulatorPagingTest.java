package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.LoadedUnicorn;
import org.junit.jupiter.api.Test;

/**
 * Pins a documented difference (README, "What the emulator cannot do"): Unicorn 2.0.1 walks the
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
}
