package io.github.junitkvm.emulator.worker;

/** The x86 exception vectors a delivery raises, and the names of all, for messages a person reads. */
final class CpuExceptions {
    static final int DOUBLE_FAULT = 8;
    static final int INVALID_TSS = 10;
    static final int SEGMENT_NOT_PRESENT = 11;
    static final int STACK_FAULT = 12;
    static final int GENERAL_PROTECTION = 13;
    static final int PAGE_FAULT = 14;

    private static final String[] MNEMONICS = {
        "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range exceeded",
        "#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor segment overrun",
        "#TS invalid TSS", "#NP segment not present", "#SS stack-segment fault", "#GP general protection",
        "#PF page fault", "reserved vector 15", "#MF x87 floating-point error", "#AC alignment check",
        "#MC machine check", "#XM SIMD floating-point exception", "#VE virtualization exception",
        "#CP control protection",
    };

    private CpuExceptions() {
    }

    /**
     * @param vector an interrupt vector, 0 to 255
     * @return a name such as {@code #GP general protection}, or {@code interrupt 0x21}
     */
    static String name(int vector) {
        if (vector >= 0 && vector < MNEMONICS.length) {
            return MNEMONICS[vector];
        }
        return vector < 32 ? "reserved vector " + vector : String.format("interrupt 0x%02x", vector);
    }
}
