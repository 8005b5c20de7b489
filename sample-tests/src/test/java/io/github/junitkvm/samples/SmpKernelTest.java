package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.Device;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestVcpu;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Multiboot;
import org.junit.jupiter.api.Test;

/**
 * A Multiboot kernel for two vCPUs written in C ({@code src/test/c/smp.c}, with the AP's real-mode
 * trampoline in {@code smp-trampoline.S}): it reads the CPU count from fw_cfg, counts three PIT
 * ticks through the PIC, starts the application processor through its local APIC (INIT, then
 * start-up IPIs naming the trampoline's page), and both processors add to one counter under a
 * spinlock.
 *
 * <p>What to learn: {@code vcpus = 2} without {@code apEntry} gives an AP that waits for its
 * start-up, as on a PC; with {@code Device.LOCAL_APIC} each vCPU has its own local APIC at
 * {@code 0xfee00000}, its APIC ID (and CPUID's initial APIC ID) the vCPU's index, and the ICR's
 * INIT and start-up IPIs start the AP in real mode at {@code vector << 12}. {@code run.vcpu(i)}
 * tells what each processor did.
 */
class SmpKernelTest {
    // tag::smp-kernel[]
    @Test
    @KvmGuest(resource = "/guests/smp-kernel.elf", vcpus = 2,
              memory = {@Memory(size = 0xa0000), @Memory(guestAddress = 0x100000, size = 0x100000)},
              multiboot = @Multiboot,
              devices = {Device.FW_CFG, Device.PIC, Device.PIT, Device.LOCAL_APIC})
    void theBootstrapProcessorStartsTheApThroughItsLocalApic(GuestRun run) {
        assertThat(run).hasExitStatus(1).hasSerialOutput("""
                cpus 2
                ticks 3
                bsp apic 0 cpuid 0
                ap apic 1 cpuid 1
                counter 2000
                """);
        GuestVcpu ap = run.vcpu(1);
        assertThat(ap.stop().reason()).as("the AP halts when ap_main returns").isEqualTo(ExitReason.HLT);
        assertThat(ap.registers().rax()).as("ap_main's result").isEqualTo(0xa9);
        assertThat(ap.specialRegisters().cr0() & 1).as("in protected mode").isEqualTo(1);
        assertThat(ap.specialRegisters().cs().selector()).as("the trampoline's code segment").isEqualTo(8);
        assertThat(run.vcpu(0).exits()).as("the BSP took the timer's interrupts")
                .filteredOn(exit -> exit.reason() == ExitReason.EXTERNAL_INTERRUPT).hasSize(3);
    }
    // end::smp-kernel[]
}
