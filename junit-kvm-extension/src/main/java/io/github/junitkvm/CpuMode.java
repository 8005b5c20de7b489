package io.github.junitkvm;

/**
 * The CPU mode a guest's vCPU starts in. For the 32- and 64-bit modes the extension writes a flat
 * GDT (and the page tables) into the highest free 4 KiB-aligned block of guest RAM below 4 GiB that
 * does not overlap the loaded code; see the guide's "CPU modes and loading code" (docs/cpu-modes-and-code.md).
 */
public enum CpuMode {
    /** 16-bit real mode with every segment at base 0, as in the classic {@code /dev/kvm} sample. */
    REAL,
    /** 32-bit flat protected mode, paging off: CS = 0x08, the other segments 0x10. */
    PROTECTED,
    /** 32-bit protected mode with PAE paging on, the first 4 GiB identity-mapped in 2 MiB pages. */
    PAGED,
    /**
     * 64-bit long mode (CS = 0x18, data 0x10), the first 4 GiB (and all RAM above) identity-mapped in
     * 2 MiB pages.
     */
    LONG
}
