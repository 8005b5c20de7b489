package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.testsupport.CProbe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks every struct size, field offset, ioctl number and constant the backend mirrors against
 * what gcc computes from {@code linux/kvm.h} and the libc headers. Needs gcc and the kernel headers,
 * not {@code /dev/kvm}.
 */
class KvmAbiTest {
    /** One mirrored value: its name, the C expression that computes it, and the Java value. */
    private record Fact(String name, String c, long java) {
    }

    private static final List<Fact> FACTS = new ArrayList<>();
    private static Map<String, Long> fromC;

    private static void size(String struct, long java) {
        FACTS.add(new Fact("sizeof." + struct, "sizeof(struct " + struct + ")", java));
    }

    private static void offset(String struct, String field, long java) {
        FACTS.add(new Fact(struct + "." + field, "offsetof(struct " + struct + ", " + field + ")", java));
    }

    private static void constant(String name, long java) {
        FACTS.add(new Fact(name, name, java));
    }

    static {
        size("kvm_regs", KvmRegs.SIZE);
        String[] regs = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9", "r10", "r11",
            "r12", "r13", "r14", "r15", "rip", "rflags"};
        long[] regOffsets = {KvmRegs.RAX, KvmRegs.RBX, KvmRegs.RCX, KvmRegs.RDX, KvmRegs.RSI, KvmRegs.RDI,
            KvmRegs.RSP, KvmRegs.RBP, KvmRegs.R8, KvmRegs.R9, KvmRegs.R10, KvmRegs.R11, KvmRegs.R12,
            KvmRegs.R13, KvmRegs.R14, KvmRegs.R15, KvmRegs.RIP, KvmRegs.RFLAGS};
        for (int i = 0; i < regs.length; i++) {
            offset("kvm_regs", regs[i], regOffsets[i]);
        }

        size("kvm_cpuid2", KvmCpuid.HEADER_SIZE);
        size("kvm_cpuid_entry2", KvmCpuid.ENTRY_SIZE);

        size("kvm_segment", KvmSegment.SIZE);
        offset("kvm_segment", "base", KvmSegment.BASE);
        offset("kvm_segment", "limit", KvmSegment.LIMIT);
        offset("kvm_segment", "selector", KvmSegment.SELECTOR);
        offset("kvm_segment", "type", KvmSegment.TYPE);
        offset("kvm_segment", "present", KvmSegment.PRESENT);
        offset("kvm_segment", "dpl", KvmSegment.DPL);
        offset("kvm_segment", "db", KvmSegment.DB);
        offset("kvm_segment", "s", KvmSegment.S);
        offset("kvm_segment", "l", KvmSegment.L);
        offset("kvm_segment", "g", KvmSegment.G);
        offset("kvm_segment", "avl", KvmSegment.AVL);
        offset("kvm_segment", "unusable", KvmSegment.UNUSABLE);
        offset("kvm_segment", "padding", KvmSegment.PADDING);

        size("kvm_dtable", KvmDtable.SIZE);
        offset("kvm_dtable", "base", KvmDtable.BASE);
        offset("kvm_dtable", "limit", KvmDtable.LIMIT);
        offset("kvm_dtable", "padding", KvmDtable.PADDING);

        size("kvm_sregs", KvmSregs.SIZE);
        offset("kvm_sregs", "cs", KvmSregs.CS);
        offset("kvm_sregs", "ds", KvmSregs.DS);
        offset("kvm_sregs", "es", KvmSregs.ES);
        offset("kvm_sregs", "fs", KvmSregs.FS);
        offset("kvm_sregs", "gs", KvmSregs.GS);
        offset("kvm_sregs", "ss", KvmSregs.SS);
        offset("kvm_sregs", "tr", KvmSregs.TR);
        offset("kvm_sregs", "ldt", KvmSregs.LDT);
        offset("kvm_sregs", "gdt", KvmSregs.GDT);
        offset("kvm_sregs", "idt", KvmSregs.IDT);
        offset("kvm_sregs", "cr0", KvmSregs.CR0);
        offset("kvm_sregs", "cr2", KvmSregs.CR2);
        offset("kvm_sregs", "cr3", KvmSregs.CR3);
        offset("kvm_sregs", "cr4", KvmSregs.CR4);
        offset("kvm_sregs", "cr8", KvmSregs.CR8);
        offset("kvm_sregs", "efer", KvmSregs.EFER);
        offset("kvm_sregs", "apic_base", KvmSregs.APIC_BASE);
        offset("kvm_sregs", "interrupt_bitmap", KvmSregs.INTERRUPT_BITMAP);

        size("kvm_userspace_memory_region", KvmUserspaceMemoryRegion.SIZE);
        offset("kvm_userspace_memory_region", "slot", KvmUserspaceMemoryRegion.SLOT);
        offset("kvm_userspace_memory_region", "flags", KvmUserspaceMemoryRegion.FLAGS);
        offset("kvm_userspace_memory_region", "guest_phys_addr", KvmUserspaceMemoryRegion.GUEST_PHYS_ADDR);
        offset("kvm_userspace_memory_region", "memory_size", KvmUserspaceMemoryRegion.MEMORY_SIZE);
        offset("kvm_userspace_memory_region", "userspace_addr", KvmUserspaceMemoryRegion.USERSPACE_ADDR);

        size("kvm_guest_debug", KvmGuestDebug.SIZE);
        offset("kvm_guest_debug", "control", KvmGuestDebug.CONTROL);

        size("kvm_fpu", VcpuState.FPU_SIZE);
        size("kvm_xsave", VcpuState.XSAVE_SIZE);
        size("kvm_xcrs", VcpuState.XCRS_SIZE);
        size("kvm_vcpu_events", VcpuState.VCPU_EVENTS_SIZE);
        size("kvm_debugregs", VcpuState.DEBUGREGS_SIZE);
        size("kvm_msr_list", VcpuState.MSR_LIST_HEADER_SIZE);
        size("kvm_msrs", VcpuState.MSRS_HEADER_SIZE);
        size("kvm_msr_entry", MsrSnapshot.ENTRY_SIZE);
        offset("kvm_msr_entry", "data", MsrSnapshot.ENTRY_DATA);
        size("kvm_dirty_log", DirtyLog.SIZE);
        offset("kvm_dirty_log", "slot", DirtyLog.SLOT);
        offset("kvm_dirty_log", "dirty_bitmap", DirtyLog.DIRTY_BITMAP);

        offset("kvm_run", "immediate_exit", KvmRun.IMMEDIATE_EXIT);
        offset("kvm_run", "exit_reason", KvmRun.EXIT_REASON);
        offset("kvm_run", "io", KvmRun.EXIT_DATA);
        offset("kvm_run", "io.direction", KvmRun.IO_DIRECTION);
        offset("kvm_run", "io.size", KvmRun.IO_SIZE);
        offset("kvm_run", "io.port", KvmRun.IO_PORT);
        offset("kvm_run", "io.count", KvmRun.IO_COUNT);
        offset("kvm_run", "io.data_offset", KvmRun.IO_DATA_OFFSET);
        offset("kvm_run", "mmio.phys_addr", KvmRun.MMIO_PHYS_ADDR);
        offset("kvm_run", "mmio.data", KvmRun.MMIO_DATA);
        offset("kvm_run", "mmio.len", KvmRun.MMIO_LEN);
        offset("kvm_run", "mmio.is_write", KvmRun.MMIO_IS_WRITE);
        FACTS.add(new Fact("sizeof.kvm_run.mmio.data", "sizeof(((struct kvm_run *)0)->mmio.data)",
                KvmRun.MMIO_DATA_SIZE));
        offset("kvm_run", "debug.arch.exception", KvmRun.DEBUG_EXCEPTION);
        offset("kvm_run", "debug.arch.pc", KvmRun.DEBUG_PC);
        offset("kvm_run", "fail_entry.hardware_entry_failure_reason",
                KvmRun.FAIL_ENTRY_HARDWARE_ENTRY_FAILURE_REASON);
        offset("kvm_run", "fail_entry.cpu", KvmRun.FAIL_ENTRY_CPU);
        offset("kvm_run", "system_event.type", KvmRun.SYSTEM_EVENT_TYPE);
        offset("kvm_run", "msr.error", KvmRun.MSR_ERROR);
        offset("kvm_run", "msr.reason", KvmRun.MSR_REASON);
        offset("kvm_run", "msr.index", KvmRun.MSR_INDEX);
        offset("kvm_run", "msr.data", KvmRun.MSR_DATA);
        size("kvm_enable_cap", MsrRouting.ENABLE_CAP_SIZE);
        size("kvm_msr_filter", MsrRouting.FILTER_SIZE);
        size("kvm_msr_filter_range", MsrRouting.RANGE_SIZE);
        offset("kvm_msr_filter_range", "nmsrs", MsrRouting.RANGE_NMSRS);
        offset("kvm_msr_filter_range", "base", MsrRouting.RANGE_BASE);
        offset("kvm_msr_filter_range", "bitmap", MsrRouting.RANGE_BITMAP);
        offset("kvm_msr_filter", "ranges", MsrRouting.FILTER_RANGES);
        offset("kvm_enable_cap", "args", MsrRouting.ENABLE_CAP_ARGS);
        offset("kvm_cpuid_entry2", "index", KvmCpuid.INDEX);
        offset("kvm_cpuid_entry2", "flags", KvmCpuid.FLAGS);
        offset("kvm_cpuid_entry2", "eax", KvmCpuid.EAX);
        offset("kvm_cpuid_entry2", "ebx", KvmCpuid.EBX);
        offset("kvm_cpuid_entry2", "ecx", KvmCpuid.ECX);
        offset("kvm_cpuid_entry2", "edx", KvmCpuid.EDX);
        offset("kvm_run", "internal.suberror", KvmRun.INTERNAL_SUBERROR);
        offset("kvm_run", "internal.ndata", KvmRun.INTERNAL_NDATA);
        offset("kvm_run", "internal.data", KvmRun.INTERNAL_DATA);
        FACTS.add(new Fact("count.kvm_run.internal.data",
                "sizeof(((struct kvm_run *)0)->internal.data) / sizeof(__u64)", KvmRun.INTERNAL_DATA_WORDS));

        for (KvmIoctl ioctl : KvmIoctl.values()) {
            constant(ioctl.name(), ioctl.number());
        }
        for (int code = 0; !KvmExitReason.name(code).equals("unknown"); code++) {
            constant(KvmExitReason.name(code), code);
        }
        constant("KVM_EXIT_IO", KvmExitReason.KVM_EXIT_IO);
        constant("KVM_EXIT_DEBUG", KvmExitReason.KVM_EXIT_DEBUG);
        constant("KVM_EXIT_HLT", KvmExitReason.KVM_EXIT_HLT);
        constant("KVM_EXIT_MMIO", KvmExitReason.KVM_EXIT_MMIO);
        constant("KVM_EXIT_SHUTDOWN", KvmExitReason.KVM_EXIT_SHUTDOWN);
        constant("KVM_EXIT_FAIL_ENTRY", KvmExitReason.KVM_EXIT_FAIL_ENTRY);
        constant("KVM_EXIT_INTERNAL_ERROR", KvmExitReason.KVM_EXIT_INTERNAL_ERROR);

        constant("KVM_API_VERSION", KvmConstants.KVM_API_VERSION);
        constant("KVM_CAP_SET_GUEST_DEBUG", KvmConstants.KVM_CAP_SET_GUEST_DEBUG);
        constant("KVM_CAP_READONLY_MEM", KvmConstants.KVM_CAP_READONLY_MEM);
        constant("KVM_CAP_X86_USER_SPACE_MSR", KvmConstants.KVM_CAP_X86_USER_SPACE_MSR);
        constant("KVM_CAP_X86_MSR_FILTER", KvmConstants.KVM_CAP_X86_MSR_FILTER);
        constant("KVM_MSR_EXIT_REASON_UNKNOWN", KvmConstants.KVM_MSR_EXIT_REASON_UNKNOWN);
        constant("KVM_MSR_EXIT_REASON_FILTER", KvmConstants.KVM_MSR_EXIT_REASON_FILTER);
        constant("KVM_MSR_FILTER_READ", KvmConstants.KVM_MSR_FILTER_READ);
        constant("KVM_MSR_FILTER_WRITE", KvmConstants.KVM_MSR_FILTER_WRITE);
        constant("KVM_MSR_FILTER_MAX_RANGES", KvmConstants.KVM_MSR_FILTER_MAX_RANGES);
        constant("KVM_MSR_FILTER_MAX_BITMAP_SIZE", KvmConstants.KVM_MSR_FILTER_MAX_BITMAP_SIZE);
        constant("KVM_CPUID_FLAG_SIGNIFCANT_INDEX", KvmCpuid.FLAG_SIGNIFICANT_INDEX);
        constant("KVM_CAP_VCPU_EVENTS", KvmConstants.KVM_CAP_VCPU_EVENTS);
        constant("KVM_CAP_DEBUGREGS", KvmConstants.KVM_CAP_DEBUGREGS);
        constant("KVM_CAP_XSAVE", KvmConstants.KVM_CAP_XSAVE);
        constant("KVM_CAP_XCRS", KvmConstants.KVM_CAP_XCRS);
        constant("KVM_MEM_LOG_DIRTY_PAGES", KvmConstants.KVM_MEM_LOG_DIRTY_PAGES);
        constant("E2BIG", MsrSnapshot.E2BIG);
        constant("KVM_GUESTDBG_ENABLE", KvmConstants.KVM_GUESTDBG_ENABLE);
        constant("KVM_GUESTDBG_SINGLESTEP", KvmConstants.KVM_GUESTDBG_SINGLESTEP);
        constant("DB_VECTOR", KvmConstants.DB_VECTOR);
        constant("KVM_CAP_IMMEDIATE_EXIT", KvmConstants.KVM_CAP_IMMEDIATE_EXIT);
        constant("KVM_MEM_READONLY", KvmConstants.KVM_MEM_READONLY);
        constant("KVM_EXIT_IO_IN", KvmConstants.KVM_EXIT_IO_IN);
        constant("KVM_EXIT_IO_OUT", KvmConstants.KVM_EXIT_IO_OUT);
        constant("KVM_INTERNAL_ERROR_EMULATION", KvmConstants.KVM_INTERNAL_ERROR_EMULATION);
        constant("KVM_INTERNAL_ERROR_SIMUL_EX", KvmConstants.KVM_INTERNAL_ERROR_SIMUL_EX);
        constant("KVM_INTERNAL_ERROR_DELIVERY_EV", KvmConstants.KVM_INTERNAL_ERROR_DELIVERY_EV);
        constant("KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON",
                KvmConstants.KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);

        constant("O_RDWR", Posix.O_RDWR);
        constant("O_CLOEXEC", Posix.O_CLOEXEC);
        constant("PROT_READ", Posix.PROT_READ);
        constant("PROT_WRITE", Posix.PROT_WRITE);
        constant("MAP_SHARED", Posix.MAP_SHARED);
        constant("MAP_ANONYMOUS", Posix.MAP_ANONYMOUS);
        constant("MAP_NORESERVE", Posix.MAP_NORESERVE);
        constant("EPERM", Posix.EPERM);
        constant("ENOENT", Posix.ENOENT);
        constant("EINTR", Posix.EINTR);
        constant("ENXIO", Posix.ENXIO);
        constant("EAGAIN", Posix.EAGAIN);
        constant("ENOMEM", Posix.ENOMEM);
        constant("EACCES", Posix.EACCES);
        constant("ENODEV", Posix.ENODEV);
        constant("ENFILE", Posix.ENFILE);
        constant("EMFILE", Posix.EMFILE);
        constant("ENOTTY", Posix.ENOTTY);
        constant("SYS_gettid", Posix.SYS_GETTID);
        constant("SIGPIPE", Posix.SIGPIPE);
        size("sigaction", Posix.SIGACTION_SIZE);
        offset("sigaction", "sa_handler", Posix.SIGACTION_HANDLER);
        FACTS.add(new Fact("SIG_DFL", "(long) SIG_DFL", Posix.SIG_DFL));
        FACTS.add(new Fact("SIG_IGN", "(long) SIG_IGN", Posix.SIG_IGN));
    }

    @BeforeAll
    static void probe() throws Exception {
        StringBuilder source = new StringBuilder("""
                #define _GNU_SOURCE
                #include <fcntl.h>
                #include <errno.h>
                #include <signal.h>
                #include <stddef.h>
                #include <stdio.h>
                #include <sys/mman.h>
                #include <sys/syscall.h>
                #include <linux/kvm.h>
                int main(void) {
                """);
        for (Fact fact : FACTS) {
            source.append("    printf(\"%s %llu\\n\", \"").append(fact.name())
                    .append("\", (unsigned long long) (").append(fact.c()).append("));\n");
        }
        source.append("    return 0;\n}\n");
        fromC = CProbe.run(source.toString());
    }

    @Test
    void everyMirroredValueEqualsWhatGccComputesFromTheHeaders() {
        Map<String, Long> fromJava = new LinkedHashMap<>();
        FACTS.forEach(fact -> fromJava.put(fact.name(), fact.java()));
        SoftAssertions softly = new SoftAssertions();
        fromJava.forEach((name, java) -> softly.assertThat(java).as(name).isEqualTo(fromC.get(name)));
        softly.assertAll();
        assertThat(fromC).hasSameSizeAs(fromJava);
    }
}
