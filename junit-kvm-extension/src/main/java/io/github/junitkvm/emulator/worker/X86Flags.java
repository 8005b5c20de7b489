package io.github.junitkvm.emulator.worker;

/**
 * The mode flags QEMU keeps beside the registers ({@code hflags}) and derives from them when the
 * guest loads a segment or writes CR0; {@link #derive} derives them the same way when the host
 * sets the registers.
 */
final class X86Flags {
    static final long CR0_PE = 1;
    static final long CR0_PG = 1L << 31;
    static final long EFER_LME = 1 << 8;
    static final long EFER_LMA = 1 << 10;
    private static final long EFLAGS_VM = 1 << 17;

    private static final int HF_CPL = 3;
    /** The instruction before set an interrupt shadow ({@code STI}, {@code MOV SS}, {@code POP SS}). */
    static final int HF_INHIBIT_IRQ = 1 << 3;
    /** In {@code hflags2}: an NMI is being served, until the next {@code IRET}, which clears it. */
    static final int HF2_NMI = 1 << 2;
    private static final int HF_CS32 = 1 << 4;
    private static final int HF_SS32 = 1 << 5;
    private static final int HF_ADDSEG = 1 << 6;
    private static final int HF_PE = 1 << 7;
    /** MP, EM and TS: CR0's bits 1 to 3, moved up by 8. */
    private static final int HF_MP_EM_TS = 7 << 9;
    private static final int HF_LMA = 1 << 14;
    private static final int HF_CS64 = 1 << 15;
    private static final int DERIVED = HF_CPL | HF_CS32 | HF_SS32 | HF_ADDSEG | HF_PE | HF_MP_EM_TS | HF_LMA | HF_CS64;

    private X86Flags() {
    }

    /**
     * As QEMU's {@code cpu_x86_update_cr0} and {@code cpu_x86_load_seg_cache} set them.
     *
     * @param previous the flags before; those not derived here (OSFXSR, SMM, ...) are kept
     * @param cr0 the new CR0
     * @param efer the new EFER
     * @param rflags the new RFLAGS (VM)
     * @param state the new segment caches
     * @return the new flags
     */
    static int derive(int previous, long cr0, long efer, long rflags, CpuState state) {
        SegmentCache cs = state.segment(X86Segment.CS);
        SegmentCache ss = state.segment(X86Segment.SS);
        boolean protectedMode = (cr0 & CR0_PE) != 0;
        boolean longMode = (efer & EFER_LMA) != 0;
        boolean code64 = longMode && cs.longCode();
        boolean code32 = code64 || cs.big();
        boolean addSegmentBases;
        if (code64) {
            addSegmentBases = false;
        } else if (!protectedMode || (rflags & EFLAGS_VM) != 0 || !code32) {
            addSegmentBases = true;
        } else {
            addSegmentBases = (state.segment(X86Segment.DS).base() | state.segment(X86Segment.ES).base()
                    | ss.base()) != 0;
        }
        int flags = previous & ~DERIVED;
        flags |= protectedMode ? ss.dpl() : 0;
        flags |= code32 ? HF_CS32 : 0;
        flags |= ss.big() ? HF_SS32 : 0;
        flags |= addSegmentBases ? HF_ADDSEG : 0;
        flags |= protectedMode ? HF_PE : 0;
        flags |= (int) (cr0 << 8) & HF_MP_EM_TS;
        flags |= longMode ? HF_LMA : 0;
        flags |= code64 ? HF_CS64 : 0;
        return flags;
    }

    /** @param hflags QEMU's mode flags @return the width of the code the CPU runs with them */
    static EngineKind codeWidth(int hflags) {
        if ((hflags & HF_CS64) != 0) {
            return EngineKind.SIXTY_FOUR_BIT;
        }
        return (hflags & HF_CS32) != 0 ? EngineKind.THIRTY_TWO_BIT : EngineKind.SIXTEEN_BIT;
    }
}
