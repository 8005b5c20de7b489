package io.github.junitkvm;

/**
 * The firmware a real-mode guest starts with ({@link KvmGuest#firmware()}): what is in the
 * interrupt vector table, and who answers {@code int n}.
 *
 * <p>With firmware, the extension maps a read-only region, the firmware ROM, at
 * {@code [0xf0000, 0x100000)} (segment {@code F000}), which the guest's {@link KvmGuest#memory()}
 * must leave free, and points every entry of the interrupt vector table at {@code [0, 0x400)} at
 * an entry point of its own in that ROM. An entry point traps to the host, which runs the Java
 * handler of that vector ({@link KvmVm#onInterrupt(int, InterruptHandler)}, or the BIOS's) and
 * returns to the guest with {@code IRET}; a vector nobody serves stops the run naming the vector
 * and {@code AH}. A guest that installs its own handler for a vector and chains to the old entry
 * (as {@code drivemap} or MEMDISK do) reaches the Java handler through that chain, as on a PC.
 * Firmware serves guests that start in {@link CpuMode#REAL} mode.
 */
public enum Firmware {
    /** No firmware: RAM is what {@link KvmGuest#memory()} declares, the interrupt vector table is zero. */
    NONE,
    /**
     * The firmware ROM and the interrupt vector table, with no services of its own: the test serves
     * the vectors it wants with {@link KvmVm#onInterrupt(int, InterruptHandler)}.
     */
    INTERRUPTS,
    /**
     * A PC BIOS played in Java ({@link Bios}): video teletype output ({@code INT 10h}), disks
     * ({@code INT 13h}), memory and A20 ({@code INT 12h}, {@code INT 15h}), a keyboard fed by the
     * test ({@code INT 16h}), the clock ({@code INT 1Ah}) and a BIOS data area at {@code 0x400};
     * {@link Bios#boot(int)} boots from a disk as a PC does. The test may serve further vectors,
     * or replace the BIOS's, with {@link KvmVm#onInterrupt(int, InterruptHandler)}.
     */
    BIOS
}
