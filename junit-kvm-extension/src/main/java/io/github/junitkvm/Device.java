package io.github.junitkvm;

/**
 * A device of a PC the extension can model for a guest, beyond the built-in COM1, debug-exit port
 * and guest library report port; opt-in through {@link KvmGuest#devices()}. Each is modelled once,
 * in Java above the backends, so that a run is the same on KVM and on the emulator. The interrupt
 * controllers and timers count on a virtual clock the test controls ({@link KvmVm#clock()}): they
 * never race with the host's time, so a timer test gives the same run everywhere.
 *
 * <p>A port or MMIO handler the test registers answers before a modelled device at the same
 * place, as for COM1: the device then sees none of those accesses.
 */
public enum Device {
    /**
     * QEMU's firmware configuration interface, as test kernels written for QEMU probe it: the
     * selector port {@code 0x510} (16-bit write) and the data port {@code 0x511} (byte reads), with
     * the signature {@code "QEMU"} (item 0), the interface ID 1 (item 1: the traditional port
     * interface, no DMA), the RAM size (item 3, 64-bit), the CPU count (items 5 and 15, 16-bit) and
     * the file directory (item {@code 0x19}) of the test's {@link KvmGuest#fwCfgFiles()}. Other items
     * read as zeros, as on QEMU.
     */
    FW_CFG,
    /**
     * The 8259A PIC pair: the master at ports {@code 0x20}/{@code 0x21} (IRQs 0–7), the slave at
     * {@code 0xa0}/{@code 0xa1} (IRQs 8–15) on the master's IRQ 2, edge-triggered. They start as a
     * PC BIOS leaves them: vectors {@code 0x08} and {@code 0x70}, every IRQ masked but the cascade.
     */
    PIC,
    /**
     * The 8254 PIT at ports {@code 0x40}–{@code 0x43}, counting 1.193182 MHz on the virtual clock:
     * channel 0 on IRQ 0, channel 2 gated and read through port {@code 0x61}. Needs {@link #PIC},
     * through which its interrupts reach the CPU.
     */
    PIT,
    /**
     * A local APIC in xAPIC mode at {@code 0xfee00000} (a page the guest's RAM must leave free),
     * with its timer counting a 1 GHz bus clock on the virtual clock; with {@link #PIC}, LINT0
     * passes the PIC's interrupts through (ExtINT), as KVM resets the bootstrap processor's. With
     * {@link KvmGuest#vcpus()} above 1, each vCPU has its own at that address, its APIC ID (and
     * CPUID's initial APIC ID) the vCPU's index; the ICR sends fixed, NMI, INIT and start-up IPIs
     * between them, so a guest starts its application processors itself (see the guide's
     * "Starting application processors through the local APIC").
     */
    LOCAL_APIC
}
