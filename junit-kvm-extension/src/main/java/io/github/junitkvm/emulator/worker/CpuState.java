package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ERR_OK;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_DR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GDTR;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.util.Locale;

/**
 * The parts of an engine's CPU state that Unicorn's register API does not reach: the segment
 * caches (base, limit, attributes), the mode flags QEMU derives from them ({@code hflags}), and
 * EFER with LMA. A {@code UC_MODE_64} engine writes only a selector for {@code CS}, {@code SS},
 * {@code DS} and {@code ES}, stores CR0 raw and refuses EFER.LMA, so the engine could not be put
 * into real or protected mode, nor be given segments as a CPU caches them; this class does it
 * the way {@code KVM_SET_SREGS} does, by writing the state itself. It works on a
 * {@code uc_context}, which is a byte copy of QEMU's {@code CPUX86State}: {@link #load()} copies
 * the CPU's state in, the accessors read and change the copy, {@link #store()} copies it back.
 *
 * <p>The offsets are QEMU 5's {@code CPUX86State} layout, which Unicorn 2.0 and 2.1 share up to
 * the segment caches; EFER's place, which differs between them, is found by changing it. Each is
 * checked against values set through the register API when the engine opens, so a build with
 * another layout fails with a clear error instead of corrupting the CPU.
 *
 * <p>The same copy holds what the CPU recorded for the exception being raised
 * ({@link #takePendingException()}), which no register of Unicorn's API reaches either.
 */
final class CpuState implements AutoCloseable {
    /** QEMU's {@code hflags}, after 16 registers, RIP, RFLAGS, three lazy-flag words and two ints. */
    private static final int HFLAGS = 176;
    /** QEMU's {@code hflags2}, right after {@code hflags}. */
    private static final int HFLAGS2 = HFLAGS + 4;
    /** QEMU's {@code segs[6]}, each a {@code SegmentCache}: selector (4, then padding), base (8), limit (4), flags (4). */
    private static final int SEGMENTS = 184;
    private static final int SEGMENT_SIZE = 24;
    /** QEMU's {@code gdt}, a {@code SegmentCache} after {@code ldt} and {@code tr}: where the layout is checked. */
    private static final int GDT_INDEX = 8;
    private static final long PROBE_GDT_BASE = 0x5a5a_5000L;
    private static final int PROBE_GDT_LIMIT = 0x1237;
    private static final int BASE = 8;
    private static final int LIMIT = 16;
    private static final int FLAGS = 20;
    /** The first offset EFER is looked for at: after the segment, descriptor-table and control registers. */
    private static final int AFTER_CONTROL_REGISTERS = 424;
    /** What a freshly opened {@code UC_MODE_64} engine holds: PE, CS32, SS32, LMA, CS64, OSFXSR. */
    static final int FRESH_SIXTY_FOUR_BIT_HFLAGS = 0x40c0b0;
    private static final long FRESH_EFER = 0x500;
    /** What a freshly opened engine holds in {@code hflags2}: GIF, the global interrupt flag, alone. */
    private static final int FRESH_HFLAGS2 = 1;
    private static final int PROBE_SELECTOR = 0x5a58;
    private static final int DEBUG_REGISTERS = 8;
    private static final long DEBUG_MARK = 0x5a6b_0000L;
    /** {@code error_code} and {@code exception_is_int}, then the 8-byte {@code exception_next_eip}, before {@code dr[0]}. */
    private static final int ERROR_CODE_BEFORE_DR0 = 16;
    private static final int IS_INT_BEFORE_DR0 = 12;
    /** {@code old_exception}, after {@code dr[8]} and the union of four breakpoint pointers. */
    private static final int OLD_EXCEPTION_AFTER_DR0 = DEBUG_REGISTERS * 8 + 4 * 8;
    private static final int NONE_IN_FLIGHT = -1;

    /**
     * The layout the last probe found: it is the library's, the same for every engine, so the
     * probe, some 300 µs of an engine's opening, runs on a worker's first engine only.
     */
    private static volatile Layout probed;

    private final UnicornLibrary uc;
    private final Pointer engine;
    private final Pointer context;
    private final long data;
    private final long efer;
    /** Offset of {@code dr[0]}, around which the exception's fields are; negative if not found. */
    private final long debugRegisters;

    private CpuState(UnicornLibrary uc, Pointer engine, Pointer context, long data, long efer, long debugRegisters) {
        this.uc = uc;
        this.engine = engine;
        this.context = context;
        this.data = data;
        this.efer = efer;
        this.debugRegisters = debugRegisters;
    }

    /**
     * Finds and checks the layout on a freshly opened {@code UC_MODE_64} engine, whose state it
     * leaves as it found it; on the library's later engines, takes the layout it found.
     *
     * @param uc the library
     * @param engine the engine, as {@code uc_open} returned it
     * @param port the engine's registers
     * @return the engine's state
     * @throws HypervisorException if this Unicorn build lays out the CPU state differently
     */
    static CpuState open(UnicornLibrary uc, Pointer engine, RegisterPort port) {
        PointerByReference allocated = new PointerByReference();
        check(uc, uc.uc_context_alloc(engine, allocated), "uc_context_alloc");
        Pointer context = allocated.getValue();
        try {
            long total = uc.uc_context_size(engine);
            long size = context.getLong(0);
            long data = total - size;
            Layout known = probed;
            if (known != null && known.library() == uc && known.size() == size) {
                return new CpuState(uc, engine, context, data, known.efer(), known.debugRegisters());
            }
            CpuState probe = new CpuState(uc, engine, context, data, -1, -1);
            probe.load();
            byte[] fresh = context.getByteArray(data, (int) size);
            require(probe.hflags() == FRESH_SIXTY_FOUR_BIT_HFLAGS, "hflags", probe.hflags());
            require(probe.hflags2() == FRESH_HFLAGS2, "hflags2", probe.hflags2());
            port.write(UC_X86_REG_CS, PROBE_SELECTOR);
            probe.load();
            require(probe.selector(X86Segment.CS) == PROBE_SELECTOR, "the CS selector", probe.selector(X86Segment.CS));
            port.writeTable(UC_X86_REG_GDTR, new DescriptorTable(PROBE_GDT_BASE, PROBE_GDT_LIMIT));
            probe.load();
            long gdt = data + SEGMENTS + (long) GDT_INDEX * SEGMENT_SIZE;
            require(context.getLong(gdt + BASE) == PROBE_GDT_BASE && context.getInt(gdt + LIMIT) == PROBE_GDT_LIMIT,
                    "GDTR, after LDTR and TR", context.getLong(gdt + BASE));
            port.writeEfer(FRESH_EFER & ~X86Flags.EFER_LME);
            for (int i = 0; i < DEBUG_REGISTERS; i++) {
                port.write(UC_X86_REG_DR0 + i, DEBUG_MARK + i);
            }
            probe.load();
            long efer = -1;
            for (long offset = AFTER_CONTROL_REGISTERS; offset + Long.BYTES <= size; offset += Long.BYTES) {
                if (context.getLong(data + offset) == (FRESH_EFER & ~X86Flags.EFER_LME)
                        && longAt(fresh, offset) == FRESH_EFER) {
                    efer = offset;
                    break;
                }
            }
            require(efer >= 0, "EFER", -1);
            long debugRegisters = findDebugRegisters(context, data, size);
            context.write(data, fresh, 0, fresh.length);
            probe.store();
            probed = new Layout(uc, size, efer, debugRegisters);
            return new CpuState(uc, engine, context, data, efer, debugRegisters);
        } catch (RuntimeException e) {
            uc.uc_context_free(context);
            throw e;
        }
    }

    /**
     * @return the offset of {@code dr[0]}, marked through the register API, if the exception's
     *     fields around it are where expected (a fresh CPU has no exception in flight); else -1
     */
    private static long findDebugRegisters(Pointer context, long data, long size) {
        for (long offset = ERROR_CODE_BEFORE_DR0; offset + OLD_EXCEPTION_AFTER_DR0 + Integer.BYTES <= size;
                offset += Long.BYTES) {
            if (marked(context, data + offset)) {
                return context.getInt(data + offset + OLD_EXCEPTION_AFTER_DR0) == NONE_IN_FLIGHT ? offset : -1;
            }
        }
        return -1;
    }

    private static boolean marked(Pointer context, long at) {
        for (int i = 0; i < DEBUG_REGISTERS; i++) {
            if (context.getLong(at + 8L * i) != DEBUG_MARK + i) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where a library keeps what the register API does not reach.
     *
     * @param library the library
     * @param size its {@code CPUX86State}'s size
     * @param efer EFER's offset
     * @param debugRegisters {@code dr[0]}'s offset, negative if not found
     */
    private record Layout(UnicornLibrary library, long size, long efer, long debugRegisters) {
    }

    private static long longAt(byte[] bytes, long offset) {
        long value = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            value = value << 8 | bytes[(int) offset + i] & 0xff;
        }
        return value;
    }

    private static void require(boolean ok, String what, long found) {
        if (!ok) {
            throw new HypervisorException(String.format(Locale.ROOT, "this Unicorn build lays out the CPU state"
                    + " differently from Unicorn 2.0 and 2.1 (%s not where expected, found 0x%x there): the emulator"
                    + " cannot set the CPU's mode and segments", what, found));
        }
    }

    /** Copies the CPU's state into this object. */
    void load() {
        check(uc, uc.uc_context_save(engine, context), "uc_context_save");
    }

    /** Copies this object's state into the CPU. */
    void store() {
        check(uc, uc.uc_context_restore(engine, context), "uc_context_restore");
    }

    /** @return QEMU's mode flags ({@link X86Flags}{@code .HF_*}) */
    int hflags() {
        return context.getInt(data + HFLAGS);
    }

    /** @param value QEMU's mode flags */
    void setHflags(int value) {
        context.setInt(data + HFLAGS, value);
    }

    /** @return QEMU's second mode flags ({@link X86Flags}{@code .HF2_*}) */
    int hflags2() {
        return context.getInt(data + HFLAGS2);
    }

    /** @param value QEMU's second mode flags */
    void setHflags2(int value) {
        context.setInt(data + HFLAGS2, value);
    }

    /** @return EFER, LMA included */
    long efer() {
        return context.getLong(data + efer);
    }

    /** @param value EFER, LMA included, as it is */
    void setEfer(long value) {
        context.setLong(data + efer, value);
    }

    /** @param segment which @return its selector */
    int selector(X86Segment segment) {
        return context.getInt(segmentAt(segment)) & 0xffff;
    }

    /** @param segment which @return its cache: selector, base, limit and QEMU's attribute flags */
    SegmentCache segment(X86Segment segment) {
        return cacheAt(segmentAt(segment));
    }

    /** @param segment which @param cache its new cache */
    void setSegment(X86Segment segment, SegmentCache cache) {
        writeCache(segmentAt(segment), cache);
    }

    private SegmentCache cacheAt(long at) {
        return new SegmentCache(context.getInt(at) & 0xffff, context.getLong(at + BASE), context.getInt(at + LIMIT),
                context.getInt(at + FLAGS));
    }

    private void writeCache(long at, SegmentCache cache) {
        context.setInt(at, cache.selector());
        context.setLong(at + BASE, cache.base());
        context.setInt(at + LIMIT, cache.limit());
        context.setInt(at + FLAGS, cache.flags());
    }

    /** The two system segment registers, cached as the six others are, with QEMU's index of each. */
    enum SystemSegment {
        /** LDTR: the local descriptor table. */
        LDT(6),
        /** TR: the task state segment. */
        TR(7);

        private final int qemuIndex;

        SystemSegment(int qemuIndex) {
            this.qemuIndex = qemuIndex;
        }
    }

    /** @param register LDTR or TR @return its cache, as the guest's {@code lldt} and {@code ltr} loaded it */
    SegmentCache systemSegment(SystemSegment register) {
        return cacheAt(data + SEGMENTS + (long) register.qemuIndex * SEGMENT_SIZE);
    }

    /** @param register LDTR or TR @param cache its new cache */
    void setSystemSegment(SystemSegment register, SegmentCache cache) {
        writeCache(data + SEGMENTS + (long) register.qemuIndex * SEGMENT_SIZE, cache);
    }

    /** @return whether {@link #takePendingException()} can work: its fields were found when the engine opened */
    boolean pendingExceptionKnown() {
        return debugRegisters >= 0;
    }

    /**
     * Reads what the CPU recorded for the exception Unicorn's interrupt hook is called for, and marks
     * it delivered, as the CPU does once it has pushed the exception's frame. Unicorn passes the hook
     * the vector alone, but the CPU state holds the error code the CPU computed, whether the vector
     * came from an {@code INT} instruction, and the exception "in flight", from which the CPU turns
     * the next exception into a double fault and then a triple fault. QEMU resets that field when
     * it has delivered an exception; Unicorn never delivers, so without the reset the second #GP of
     * a run would become #DF.
     *
     * <p>The fields sit around the debug registers ({@code error_code}, {@code exception_is_int},
     * {@code exception_next_eip}, {@code dr[8]}, four breakpoint pointers, {@code old_exception}),
     * in Unicorn 2.0.1 to 2.1.4 alike, so {@link #open} finds them by marking DR0–DR7.
     *
     * @return the exception's origin and error code
     * @throws IllegalStateException if the fields were not found ({@link #pendingExceptionKnown()})
     */
    PendingException takePendingException() {
        if (!pendingExceptionKnown()) {
            throw new IllegalStateException("Unicorn's record of the exception was not found in its CPU state");
        }
        load();
        long dr0 = data + debugRegisters;
        PendingException pending = new PendingException(context.getInt(dr0 - IS_INT_BEFORE_DR0) != 0,
                context.getInt(dr0 - ERROR_CODE_BEFORE_DR0));
        context.setInt(dr0 + OLD_EXCEPTION_AFTER_DR0, NONE_IN_FLIGHT);
        store();
        return pending;
    }

    private long segmentAt(X86Segment segment) {
        return data + SEGMENTS + (long) segment.qemuIndex() * SEGMENT_SIZE;
    }

    private static void check(UnicornLibrary uc, int error, String what) {
        if (error != UC_ERR_OK) {
            throw new UnicornException(what, error, uc.uc_strerror(error));
        }
    }

    @Override
    public void close() {
        uc.uc_context_free(context);
    }
}
