package io.github.junitkvm.kvm;

import com.sun.jna.Pointer;
import io.github.junitkvm.GeneralRegisters;

/**
 * The layout of {@code struct kvm_regs} (x86): eighteen {@code __u64} in the order
 * rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8 … r15, rip, rflags — the order of
 * {@link GeneralRegisters} too.
 */
final class KvmRegs {
    static final int SIZE = 144;
    static final int RAX = 0;
    static final int RBX = 8;
    static final int RCX = 16;
    static final int RDX = 24;
    static final int RSI = 32;
    static final int RDI = 40;
    static final int RSP = 48;
    static final int RBP = 56;
    static final int R8 = 64;
    static final int R9 = 72;
    static final int R10 = 80;
    static final int R11 = 88;
    static final int R12 = 96;
    static final int R13 = 104;
    static final int R14 = 112;
    static final int R15 = 120;
    static final int RIP = 128;
    static final int RFLAGS = 136;

    private KvmRegs() {
    }

    /**
     * @param regs a {@code struct kvm_regs}
     * @return its values
     */
    static GeneralRegisters read(Pointer regs) {
        return new GeneralRegisters(
                regs.getLong(RAX), regs.getLong(RBX), regs.getLong(RCX), regs.getLong(RDX),
                regs.getLong(RSI), regs.getLong(RDI), regs.getLong(RSP), regs.getLong(RBP),
                regs.getLong(R8), regs.getLong(R9), regs.getLong(R10), regs.getLong(R11),
                regs.getLong(R12), regs.getLong(R13), regs.getLong(R14), regs.getLong(R15),
                regs.getLong(RIP), regs.getLong(RFLAGS));
    }

    /**
     * @param regs a {@code struct kvm_regs} to fill completely
     * @param values the values
     */
    static void write(Pointer regs, GeneralRegisters values) {
        regs.setLong(RAX, values.rax());
        regs.setLong(RBX, values.rbx());
        regs.setLong(RCX, values.rcx());
        regs.setLong(RDX, values.rdx());
        regs.setLong(RSI, values.rsi());
        regs.setLong(RDI, values.rdi());
        regs.setLong(RSP, values.rsp());
        regs.setLong(RBP, values.rbp());
        regs.setLong(R8, values.r8());
        regs.setLong(R9, values.r9());
        regs.setLong(R10, values.r10());
        regs.setLong(R11, values.r11());
        regs.setLong(R12, values.r12());
        regs.setLong(R13, values.r13());
        regs.setLong(R14, values.r14());
        regs.setLong(R15, values.r15());
        regs.setLong(RIP, values.rip());
        regs.setLong(RFLAGS, values.rflags());
    }
}
