package io.github.junitkvm.kvm;

/**
 * The {@code KVM_EXIT_*} codes of {@code kvm_run.exit_reason}: the ones the run loop handles as
 * constants, and the name and meaning of every code {@code linux/kvm.h} defines, for the report of
 * a run that stops on one of the others (Documentation/virt/kvm/api.rst says when each comes).
 */
final class KvmExitReason {
    static final int KVM_EXIT_IO = 2;
    static final int KVM_EXIT_DEBUG = 4;
    static final int KVM_EXIT_HLT = 5;
    static final int KVM_EXIT_MMIO = 6;
    static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    static final int KVM_EXIT_SHUTDOWN = 8;
    static final int KVM_EXIT_FAIL_ENTRY = 9;
    static final int KVM_EXIT_SET_TPR = 11;
    static final int KVM_EXIT_INTERNAL_ERROR = 17;
    static final int KVM_EXIT_SYSTEM_EVENT = 24;
    static final int KVM_EXIT_X86_RDMSR = 29;
    static final int KVM_EXIT_X86_WRMSR = 30;

    /** Indexed by code; the C names without their {@code KVM_EXIT_} prefix. */
    private static final String[] NAMES = {
        "UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN",
        "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR",
        "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR",
        "SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR",
        "DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
    };

    /**
     * Indexed by code: why KVM would return it to a VMM like this one (no in-kernel irqchip, none
     * of the capabilities that enable the optional exits), so that a run stopped by one says what
     * happened.
     */
    private static final String[] MEANINGS = {
        "the hardware left the guest for a reason KVM does not know",
        "an exception KVM hands to user space",
        "port I/O",
        "a hypercall KVM hands to user space (KVM_CAP_EXIT_HYPERCALL is not enabled)",
        "a debug exception caught by the host's guest debugging",
        "HLT",
        "an access to memory outside RAM",
        "the guest can take an interrupt, as the host asked (request_interrupt_window)",
        "a triple fault or a shutdown",
        "the hardware refused to enter the guest",
        "a signal interrupted KVM_RUN",
        "the guest lowered its task priority (CR8) with no in-kernel local APIC",
        "an access to the local APIC's TPR, which KVM_TPR_ACCESS_REPORTING reports",
        "an s390 exit, which x86 never makes",
        "an s390 exit, which x86 never makes",
        "a PowerPC exit, which x86 never makes",
        "an NMI exit, which x86 KVM never makes",
        "KVM failed to handle the guest's action",
        "a PowerPC exit, which x86 never makes",
        "a PowerPC exit, which x86 never makes",
        "an s390 exit, which x86 never makes",
        "a watchdog exit, which x86 never makes",
        "an s390 exit, which x86 never makes",
        "a PowerPC exit, which x86 never makes",
        "the guest asked for a system event",
        "an s390 exit, which x86 never makes",
        "an EOI of the split irqchip's IOAPIC, which this VMM does not create",
        "a Hyper-V enlightenment, which this VMM does not enable",
        "an ARM exit, which x86 never makes",
        "an RDMSR handed to user space",
        "a WRMSR handed to user space",
        "the dirty ring is full, which this VMM does not enable",
        "an SEV-ES application processor waits for a reset, which this VMM does not enable",
        "the guest took a bus lock, which KVM_CAP_X86_BUS_LOCK_EXIT reports (not enabled)",
        "a Xen hypercall, which this VMM does not enable",
        "a RISC-V exit, which x86 never makes",
        "a RISC-V exit, which x86 never makes",
        "the guest ran without an interrupt window too long, which KVM_CAP_X86_NOTIFY_VMEXIT reports (not enabled)",
    };

    /** Indexed by {@code system_event.type}: the C names without their {@code KVM_SYSTEM_EVENT_} prefix. */
    private static final String[] SYSTEM_EVENTS = {
        "0", "SHUTDOWN", "RESET", "CRASH", "WAKEUP", "SUSPEND", "SEV_TERM",
    };

    private KvmExitReason() {
    }

    /**
     * @param code an exit reason
     * @return its C name and what it means, such as {@code KVM_EXIT_SET_TPR (the guest lowered ...)}
     */
    static String describe(int code) {
        return code >= 0 && code < MEANINGS.length
                ? name(code) + " (" + MEANINGS[code] + ")"
                : "exit reason " + code + " (newer than the kvm.h this backend mirrors)";
    }

    /**
     * @param type a {@code KVM_EXIT_SYSTEM_EVENT}'s {@code type}
     * @return its C name, such as {@code KVM_SYSTEM_EVENT_RESET}
     */
    static String systemEvent(int type) {
        return type > 0 && type < SYSTEM_EVENTS.length ? "KVM_SYSTEM_EVENT_" + SYSTEM_EVENTS[type] : "type " + type;
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
