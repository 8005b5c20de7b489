package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import org.junit.jupiter.api.Test;

/**
 * An ELF32 resource (built from {@code guests/elf32-bss.S}): its segment loaded at its physical
 * address 0x2000, not the load address, the run started at its entry 0x2004, its bss zero.
 */
class ElfGuestTest {
    @Test
    @KvmGuest(resource = "/guests/elf32-bss.elf")
    void startsAtTheEntryOfTheElfHeader(KvmVm vm) {
        assertThat(vm.registers().rip()).isEqualTo(0x2004);
        assertThat(vm.memory().read(0x2000, 4)).containsExactly('e', 'l', 'f', ':');
        assertThat(vm.memory().read(0x1000, 4)).as("nothing at the unused load address").containsOnly(0);
    }

    @Test
    @KvmGuest(resource = "/guests/elf32-bss.elf")
    void runsWithItsBssZero(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("elf:0");
        assertThat(run).memoryAt(0x3000, 2).as("the bss counter, incremented once").containsExactly(1, 0);
    }
}
