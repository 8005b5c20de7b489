package io.github.junitkvm.kvm;

/**
 * The {@code KVM_EXIT_*} codes of {@code kvm_run.exit_reason}: the ones the run loop handles as
 * constants, and the name of every code {@code linux/kvm.h} defines, for messages about the others.
 */
final class KvmExitReason {
    static final int KVM_EXIT_IO = 2;
    static final int KVM_EXIT_DEBUG = 4;
    static final int KVM_EXIT_HLT = 5;
    static final int KVM_EXIT_MMIO = 6;
    static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    static final int KVM_EXIT_SHUTDOWN = 8;
    static final int KVM_EXIT_FAIL_ENTRY = 9;
    static final int KVM_EXIT_INTERNAL_ERROR = 17;

    /** Indexed by code; the C names without their {@code KVM_EXIT_} prefix. */
    private static final String[] NAMES = {
        "UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN",
        "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR",
        "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR",
        "SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR",
        "DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
    };

    private KvmExitReason() {
    }

    /**
     * @param code an exit reason
     * @return its C name, such as {@code KVM_EXIT_HLT}, or {@code unknown} for a code newer than the
     *     header this class mirrors
     */
    static String name(int code) {
        return code >= 0 && code < NAMES.length ? "KVM_EXIT_" + NAMES[code] : "unknown";
    }
}
