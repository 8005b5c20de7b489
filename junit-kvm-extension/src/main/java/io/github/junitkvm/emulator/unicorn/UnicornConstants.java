package io.github.junitkvm.emulator.unicorn;

/**
 * The constants of {@code unicorn/unicorn.h} and {@code unicorn/x86.h} that the emulator backend
 * uses, named exactly as in C so that a test can compare each with what {@code gcc} computes.
 */
public final class UnicornConstants {
    /** {@code uc_arch}: x86, including x86-64. */
    public static final int UC_ARCH_X86 = 4;

    /** {@code uc_mode}: 16-bit real mode. */
    public static final int UC_MODE_16 = 2;
    /** {@code uc_mode}: 32-bit mode. */
    public static final int UC_MODE_32 = 4;
    /** {@code uc_mode}: 64-bit mode. */
    public static final int UC_MODE_64 = 8;

    /** {@code uc_err}: success. */
    public static final int UC_ERR_OK = 0;
    /** {@code uc_err}: read of unmapped memory. */
    public static final int UC_ERR_READ_UNMAPPED = 6;
    /** {@code uc_err}: write to unmapped memory. */
    public static final int UC_ERR_WRITE_UNMAPPED = 7;
    /** {@code uc_err}: fetch from unmapped memory. */
    public static final int UC_ERR_FETCH_UNMAPPED = 8;
    /** {@code uc_err}: fetch from memory that is not executable (the emulator's MMIO). */
    public static final int UC_ERR_FETCH_PROT = 14;
    /** {@code uc_err}: invalid instruction. */
    public static final int UC_ERR_INSN_INVALID = 10;
    /** {@code uc_err}: an unhandled CPU exception. */
    public static final int UC_ERR_EXCEPTION = 21;

    /** {@code uc_hook_type}: interrupts and CPU exceptions. */
    public static final int UC_HOOK_INTR = 1;
    /** {@code uc_hook_type}: one instruction, named by a trailing {@code UC_X86_INS_*}. */
    public static final int UC_HOOK_INSN = 2;
    /** {@code uc_hook_type}: every instruction, before it executes. */
    public static final int UC_HOOK_CODE = 4;
    /** {@code uc_hook_type}: every access to unmapped memory (read, write and fetch). */
    public static final int UC_HOOK_MEM_UNMAPPED = 0x70;
    /** {@code uc_hook_type}: a write to memory mapped without {@code UC_PROT_WRITE}. */
    public static final int UC_HOOK_MEM_WRITE_PROT = 1 << 8;
    /** {@code uc_hook_type}: a data read, before it happens. */
    public static final int UC_HOOK_MEM_READ = 1 << 10;
    /** {@code uc_hook_type}: a write, before it happens. */
    public static final int UC_HOOK_MEM_WRITE = 1 << 11;

    /** {@code uc_mem_type}: a read. */
    public static final int UC_MEM_READ = 16;
    /** {@code uc_mem_type}: a write. */
    public static final int UC_MEM_WRITE = 17;
    /** {@code uc_mem_type}: a read of unmapped memory. */
    public static final int UC_MEM_READ_UNMAPPED = 19;
    /** {@code uc_mem_type}: a write to unmapped memory. */
    public static final int UC_MEM_WRITE_UNMAPPED = 20;
    /** {@code uc_mem_type}: a fetch from unmapped memory. */
    public static final int UC_MEM_FETCH_UNMAPPED = 21;

    /** {@code uc_prot}: read. */
    public static final int UC_PROT_READ = 1;
    /** {@code uc_prot}: execute. */
    public static final int UC_PROT_EXEC = 4;
    /** {@code uc_prot}: read, write and execute. */
    public static final int UC_PROT_ALL = 7;

    /** {@code uc_ctl}'s direction: the call passes input arguments. */
    public static final int UC_CTL_IO_WRITE = 1;
    /** {@code uc_control_type}: drop the translated code of {@code [begin, end)}, two {@code uint64_t}s. */
    public static final int UC_CTL_TB_REMOVE_CACHE = 9;
    /** {@code uc_control_type}: invalidate every translation block. */
    public static final int UC_CTL_TB_FLUSH = 10;

    /** {@code uc_query_type}: whether the last run stopped on its timeout. */
    public static final int UC_QUERY_TIMEOUT = 4;

    /** {@code uc_x86_insn}: the CPUID instruction. */
    public static final int UC_X86_INS_CPUID = 113;
    /** {@code uc_x86_insn}: the IN instruction. */
    public static final int UC_X86_INS_IN = 218;
    /** {@code uc_x86_insn}: the OUT instruction. */
    public static final int UC_X86_INS_OUT = 500;

    /** {@code uc_x86_reg}: DR0; DR1 to DR7 follow it. */
    public static final int UC_X86_REG_DR0 = 66;
    /** {@code uc_x86_reg}: CR0. */
    public static final int UC_X86_REG_CR0 = 50;
    /** {@code uc_x86_reg}: CR2. */
    public static final int UC_X86_REG_CR2 = 52;
    /** {@code uc_x86_reg}: CR3. */
    public static final int UC_X86_REG_CR3 = 53;
    /** {@code uc_x86_reg}: CR4. */
    public static final int UC_X86_REG_CR4 = 54;
    /** {@code uc_x86_reg}: the CS selector. */
    public static final int UC_X86_REG_CS = 11;
    /** {@code uc_x86_reg}: the DS selector. */
    public static final int UC_X86_REG_DS = 17;
    /** {@code uc_x86_reg}: EAX. */
    public static final int UC_X86_REG_EAX = 19;
    /** {@code uc_x86_reg}: EBP. */
    public static final int UC_X86_REG_EBP = 20;
    /** {@code uc_x86_reg}: EBX. */
    public static final int UC_X86_REG_EBX = 21;
    /** {@code uc_x86_reg}: ECX. */
    public static final int UC_X86_REG_ECX = 22;
    /** {@code uc_x86_reg}: EDI. */
    public static final int UC_X86_REG_EDI = 23;
    /** {@code uc_x86_reg}: EDX. */
    public static final int UC_X86_REG_EDX = 24;
    /** {@code uc_x86_reg}: EFLAGS. */
    public static final int UC_X86_REG_EFLAGS = 25;
    /** {@code uc_x86_reg}: EIP. */
    public static final int UC_X86_REG_EIP = 26;
    /** {@code uc_x86_reg}: the ES selector. */
    public static final int UC_X86_REG_ES = 28;
    /** {@code uc_x86_reg}: ESI. */
    public static final int UC_X86_REG_ESI = 29;
    /** {@code uc_x86_reg}: ESP. */
    public static final int UC_X86_REG_ESP = 30;
    /** {@code uc_x86_reg}: the FS selector. */
    public static final int UC_X86_REG_FS = 32;
    /** {@code uc_x86_reg}: the GS selector. */
    public static final int UC_X86_REG_GS = 33;
    /** {@code uc_x86_reg}: the SS selector. */
    public static final int UC_X86_REG_SS = 49;
    /** {@code uc_x86_reg}: IDTR, through {@link X86Mmr}. */
    public static final int UC_X86_REG_IDTR = 242;
    /** {@code uc_x86_reg}: GDTR, through {@link X86Mmr}. */
    public static final int UC_X86_REG_GDTR = 243;
    /** {@code uc_x86_reg}: a model-specific register, through {@link X86Msr}. */
    public static final int UC_X86_REG_MSR = 248;

    /** {@code uc_x86_reg}: RAX, 64-bit engines only. */
    public static final int UC_X86_REG_RAX = 35;
    /** {@code uc_x86_reg}: RBX, 64-bit engines only. */
    public static final int UC_X86_REG_RBX = 37;
    /** {@code uc_x86_reg}: RCX, 64-bit engines only. */
    public static final int UC_X86_REG_RCX = 38;
    /** {@code uc_x86_reg}: RDX, 64-bit engines only. */
    public static final int UC_X86_REG_RDX = 40;
    /** {@code uc_x86_reg}: RSI, 64-bit engines only. */
    public static final int UC_X86_REG_RSI = 43;
    /** {@code uc_x86_reg}: RDI, 64-bit engines only. */
    public static final int UC_X86_REG_RDI = 39;
    /** {@code uc_x86_reg}: RSP, 64-bit engines only. */
    public static final int UC_X86_REG_RSP = 44;
    /** {@code uc_x86_reg}: RBP, 64-bit engines only. */
    public static final int UC_X86_REG_RBP = 36;
    /** {@code uc_x86_reg}: RIP, 64-bit engines only. */
    public static final int UC_X86_REG_RIP = 41;
    /** {@code uc_x86_reg}: R8, 64-bit engines only. */
    public static final int UC_X86_REG_R8 = 106;
    /** {@code uc_x86_reg}: R9, 64-bit engines only. */
    public static final int UC_X86_REG_R9 = 107;
    /** {@code uc_x86_reg}: R10, 64-bit engines only. */
    public static final int UC_X86_REG_R10 = 108;
    /** {@code uc_x86_reg}: R11, 64-bit engines only. */
    public static final int UC_X86_REG_R11 = 109;
    /** {@code uc_x86_reg}: R12, 64-bit engines only. */
    public static final int UC_X86_REG_R12 = 110;
    /** {@code uc_x86_reg}: R13, 64-bit engines only. */
    public static final int UC_X86_REG_R13 = 111;
    /** {@code uc_x86_reg}: R14, 64-bit engines only. */
    public static final int UC_X86_REG_R14 = 112;
    /** {@code uc_x86_reg}: R15, 64-bit engines only. */
    public static final int UC_X86_REG_R15 = 113;

    /**
     * C's {@code UC_CTL_WRITE(type, nr)}: a {@code uc_ctl} control that passes arguments.
     *
     * @param type a {@code UC_CTL_*} control type
     * @param argumentCount how many arguments follow the control
     * @return the control
     */
    public static int ucCtlWrite(int type, int argumentCount) {
        return type | argumentCount << 26 | UC_CTL_IO_WRITE << 30;
    }

    /**
     * @param error a {@code uc_err}
     * @return whether it says code could not be fetched: from outside memory, or from the
     *     emulator's MMIO, which is not executable
     */
    public static boolean isFetchError(int error) {
        return error == UC_ERR_FETCH_UNMAPPED || error == UC_ERR_FETCH_PROT;
    }

    private UnicornConstants() {
    }
}
