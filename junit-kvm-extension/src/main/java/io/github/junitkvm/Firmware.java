package io.github.junitkvm;

/**
 * The firmware a guest starts with ({@link KvmGuest#firmware()}): what is in the interrupt vector
 * table or IDT, and who answers {@code int n}.
 *
 * <p>With firmware, the extension maps a read-only region, the firmware ROM, at
 * {@code [0xf0000, 0x100000)} (segment {@code F000}), which the guest's {@link KvmGuest#memory()}
 * must leave free, and points every entry of the interrupt vector table at {@code [0, 0x400)} at
 * an entry point of its own in that ROM. An entry point traps to the host, which runs the Java
 * handler of that vector ({@link KvmVm#onInterrupt(int, InterruptHandler)}, or the BIOS's) and
 * returns to the guest with {@code IRET}; a vector nobody serves stops the run naming the vector
 * and {@code AH}. A guest that installs its own handler for a vector and chains to the old entry
 * (as {@code drivemap} or MEMDISK do) reaches the Java handler through that chain, as on a PC.
 *
 * <p>A guest that starts in another mode gets, instead of an empty IDT, one in the ROM whose 256
 * interrupt gates lead to 32-bit entry points ({@code IRETD}; IDTR {@code 0xf1000}, selector
 * {@code 0x08}) or, in {@link CpuMode#LONG} mode, 64-bit ones ({@code IRETQ}; IDTR
 * {@code 0xf2000}, selector {@code 0x18}). For an exception that pushes an error code (vectors 8,
 * 10 to 14, 17, 21, 29, 30) the entry point discards it before returning; the handler finds it at
 * the top of the stack, under the frame the CPU pushed. {@link #BIOS} serves {@code REAL}-mode
 * guests only.
 */
public enum Firmware {
    /** No firmware: RAM is what {@link KvmGuest#memory()} declares, the interrupt vector table is zero. */
    NONE,
    /**
     * The firmware ROM and the interrupt vector table (or the IDT, outside {@code REAL} mode), with
     * no services of its own: the test serves the vectors it wants with
     * {@link KvmVm#onInterrupt(int, InterruptHandler)}. Works in every {@link CpuMode}.
     */
    INTERRUPTS,
    /**
     * A PC BIOS played in Java ({@link Bios}): video teletype output ({@code INT 10h}), disks
     * ({@code INT 13h}), memory and A20 ({@code INT 12h}, {@code INT 15h}), a keyboard fed by the
     * test ({@code INT 16h}), the clock ({@code INT 1Ah}) and a BIOS data area at {@code 0x400};
     * {@link Bios#boot(int)} boots from a disk as a PC does. The test may serve further vectors,
     * or replace the BIOS's, with {@link KvmVm#onInterrupt(int, InterruptHandler)}. For
     * {@link CpuMode#REAL}-mode guests only.
     */
    BIOS
}
