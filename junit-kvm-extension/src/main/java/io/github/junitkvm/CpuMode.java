package io.github.junitkvm;

/** The CPU mode a guest's vCPU starts in. */
public enum CpuMode {
    /** 16-bit real mode with every segment at base 0, as in the classic {@code /dev/kvm} sample. */
    REAL,
    /** 32-bit flat protected mode, paging off. */
    PROTECTED,
    /** 32-bit protected mode with paging on and guest memory identity-mapped. */
    PAGED,
    /** 64-bit long mode with guest memory identity-mapped. */
    LONG
}
