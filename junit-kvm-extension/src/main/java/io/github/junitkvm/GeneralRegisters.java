package io.github.junitkvm;

import java.util.Locale;

/**
 * The general-purpose registers of a vCPU, with {@code rip} and {@code rflags}: an immutable value
 * in the order of {@code struct kvm_regs}. Change one with its {@code withXxx} method.
 *
 * @param rax register RAX
 * @param rbx register RBX
 * @param rcx register RCX
 * @param rdx register RDX
 * @param rsi register RSI
 * @param rdi register RDI
 * @param rsp register RSP
 * @param rbp register RBP
 * @param r8 register R8
 * @param r9 register R9
 * @param r10 register R10
 * @param r11 register R11
 * @param r12 register R12
 * @param r13 register R13
 * @param r14 register R14
 * @param r15 register R15
 * @param rip the instruction pointer
 * @param rflags the flags register
 */
public record GeneralRegisters(
        long rax,
        long rbx,
        long rcx,
        long rdx,
        long rsi,
        long rdi,
        long rsp,
        long rbp,
        long r8,
        long r9,
        long r10,
        long r11,
        long r12,
        long r13,
        long r14,
        long r15,
        long rip,
        long rflags) {

    private static final String[] NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};

    /** Bit 1 of RFLAGS is reserved and always set. */
    private static final long RFLAGS_RESERVED = 0x2;

    /** @return registers all zero but RFLAGS, whose reserved bit 1 is set */
    public static GeneralRegisters initial() {
        return new GeneralRegisters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, RFLAGS_RESERVED);
    }

    /** @param value the new rax @return a copy with rax replaced */
    public GeneralRegisters withRax(long value) {
        return new GeneralRegisters(value, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new rbx @return a copy with rbx replaced */
    public GeneralRegisters withRbx(long value) {
        return new GeneralRegisters(rax, value, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new rcx @return a copy with rcx replaced */
    public GeneralRegisters withRcx(long value) {
        return new GeneralRegisters(rax, rbx, value, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new rdx @return a copy with rdx replaced */
    public GeneralRegisters withRdx(long value) {
        return new GeneralRegisters(rax, rbx, rcx, value, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new rsi @return a copy with rsi replaced */
    public GeneralRegisters withRsi(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, value, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new rdi @return a copy with rdi replaced */
    public GeneralRegisters withRdi(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, value, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new rsp @return a copy with rsp replaced */
    public GeneralRegisters withRsp(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, value, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new rbp @return a copy with rbp replaced */
    public GeneralRegisters withRbp(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, value, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new r8 @return a copy with r8 replaced */
    public GeneralRegisters withR8(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, value, r9, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new r9 @return a copy with r9 replaced */
    public GeneralRegisters withR9(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, value, r10, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new r10 @return a copy with r10 replaced */
    public GeneralRegisters withR10(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, value, r11, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new r11 @return a copy with r11 replaced */
    public GeneralRegisters withR11(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, value, r12, r13, r14, r15, rip, rflags);
    }

    /** @param value the new r12 @return a copy with r12 replaced */
    public GeneralRegisters withR12(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, value, r13, r14, r15, rip, rflags);
    }

    /** @param value the new r13 @return a copy with r13 replaced */
    public GeneralRegisters withR13(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, value, r14, r15, rip, rflags);
    }

    /** @param value the new r14 @return a copy with r14 replaced */
    public GeneralRegisters withR14(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, value, r15, rip, rflags);
    }

    /** @param value the new r15 @return a copy with r15 replaced */
    public GeneralRegisters withR15(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, value, rip, rflags);
    }

    /** @param value the new rip @return a copy with rip replaced */
    public GeneralRegisters withRip(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, value, rflags);
    }

    /** @param value the new rflags @return a copy with rflags replaced */
    public GeneralRegisters withRflags(long value) {
        return new GeneralRegisters(rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, value);
    }

    /** @return the values in declaration order, as in {@code struct kvm_regs} */
    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    /**
     * @param values 18 values in declaration order, as in {@code struct kvm_regs}
     * @return the registers
     */
    public static GeneralRegisters fromArray(long[] values) {
        if (values.length != NAMES.length) {
            throw new IllegalArgumentException("expected " + NAMES.length + " register values, got " + values.length);
        }
        return new GeneralRegisters(values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9], values[10], values[11], values[12], values[13], values[14], values[15], values[16], values[17]);
    }

    /** @return the registers as {@code name=0x...} pairs, four to a line */
    @Override
    public String toString() {
        long[] values = toArray();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) {
            if (i > 0) {
                text.append(i % 4 == 0 ? "\n" : "  ");
            }
            text.append(String.format(Locale.ROOT, "%-6s=0x%016x", NAMES[i], values[i]));
        }
        return text.toString();
    }
}
