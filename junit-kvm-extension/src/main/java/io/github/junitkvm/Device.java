package io.github.junitkvm;

/**
 * A device a guest may opt in to, beyond the built-in COM1, debug-exit port and guest library
 * report port ({@link KvmGuest#devices()}). Each is modelled once, above the backends, so that a run
 * is the same on KVM and on the emulator.
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
    FW_CFG
}
