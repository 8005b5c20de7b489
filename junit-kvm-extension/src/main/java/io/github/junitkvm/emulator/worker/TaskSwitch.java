package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR3;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EFLAGS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RAX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RBP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RBX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RCX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RDI;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RDX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RSI;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RSP;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The task switch of an interrupt through a task gate of a 32-bit IDT, as the CPU makes it: the
 * interrupted task's EIP, EFLAGS, general registers and segment selectors saved in its TSS; the
 * gate's TSS marked busy, its back link set to the interrupted task; then CR3 (under paging),
 * LDTR, EFLAGS with NT, EIP, the registers and segments loaded from it, TR on it, CR0.TS set, and
 * the error code, if any, pushed on the new task's stack. The handler's {@code IRET} switches
 * back (the CPU's own {@code IRET}, which Unicorn runs).
 *
 * <p>The new task's segments are checked before anything changes, so a bad one is raised in the
 * interrupted task, where the CPU raises it in the new one. 16-bit TSSs are beyond the emulator.
 */
final class TaskSwitch {
    private static final int AVAILABLE_32 = 0x09;
    private static final int AVAILABLE_16 = 0x01;
    private static final int BUSY = 2;
    private static final int MINIMUM_LIMIT = 0x67;
    private static final int EIP = 0x20;
    private static final int EFLAGS = 0x24;
    private static final int GENERAL = 0x28;
    private static final int SEGMENTS = 0x48;
    private static final int LDT = 0x60;
    private static final int CR3 = 0x1c;
    private static final long NT = 1 << 14;
    private static final long VM = 1 << 17;
    private static final long CR0_TS = 1 << 3;
    /** EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI: the TSS's order. */
    private static final int[] REGISTERS = {UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
        UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI};
    /** ES, CS, SS, DS, FS, GS: the TSS's order. */
    private static final X86Segment[] SEGMENT_ORDER = {X86Segment.ES, X86Segment.CS, X86Segment.SS, X86Segment.DS,
        X86Segment.FS, X86Segment.GS};
    /** A virtual-8086 segment's attributes: present read/write data of ring 3. */
    private static final int VIRTUAL_8086_FLAGS = 0xf300;

    private final RegisterPort port;
    private final CpuState state;
    private final LinearMemory memory;
    private final DescriptorReader descriptors;

    /**
     * @param port the engine's registers
     * @param state the engine's segment caches, TR and LDTR
     * @param memory the guest's memory at linear addresses
     * @param descriptors the GDT and LDT
     */
    TaskSwitch(RegisterPort port, CpuState state, LinearMemory memory, DescriptorReader descriptors) {
        this.port = port;
        this.state = state;
        this.memory = memory;
        this.descriptors = descriptors;
    }

    /**
     * @param selector the task gate's TSS selector
     * @param ext the error code's EXT bit
     * @param errorCode the exception's error code, pushed on the new task's stack; null for none
     * @throws DeliveryFault if the TSS, or a segment it names, is not one the CPU can switch to
     * @throws UndeliverableEvent for a 16-bit TSS, or a page-table entry outside RAM
     */
    void throughGate(int selector, int ext, Integer errorCode) throws DeliveryFault, UndeliverableEvent {
        int error = selector & 0xfffc | ext;
        if ((selector & 4) != 0) {
            throw new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, error, String.format(Locale.ROOT,
                    "its task gate's TSS selector 0x%04x is in the LDT", selector));
        }
        long descriptor = descriptors.read(selector, CpuExceptions.GENERAL_PROTECTION, ext,
                "its task gate's TSS selector");
        int type = (int) (descriptor >>> 40 & 0x1f);
        if (type == AVAILABLE_16) {
            throw new UndeliverableEvent("its task gate names a 16-bit TSS, which the emulator does not switch to");
        }
        if (type != AVAILABLE_32) {
            throw new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, error, String.format(Locale.ROOT,
                    "its task gate's selector 0x%04x is not an available 32-bit TSS (type 0x%x)", selector, type));
        }
        if ((descriptor >>> 47 & 1) == 0) {
            throw new DeliveryFault(CpuExceptions.SEGMENT_NOT_PRESENT, error, String.format(Locale.ROOT,
                    "its task gate's TSS 0x%04x is not present", selector));
        }
        SegmentCache next = SegmentCache.ofDescriptor(selector, descriptor | (long) BUSY << 40);
        if ((next.limit() & 0xffff_ffffL) < MINIMUM_LIMIT) {
            throw new DeliveryFault(CpuExceptions.INVALID_TSS, error, String.format(Locale.ROOT,
                    "its task gate's TSS 0x%04x has limit 0x%x, below 0x67", selector, next.limit()));
        }
        ByteBuffer tss = ByteBuffer.wrap(memory.read(next.base(), MINIMUM_LIMIT + 1, "TSS"))
                .order(ByteOrder.LITTLE_ENDIAN);
        long flags = tss.getInt(EFLAGS) & 0xffff_ffffL | NT | 2;
        SegmentCache[] segments = segments(tss, flags, ext);
        int ldtSelector = tss.getShort(LDT) & 0xffff;
        SegmentCache ldt = ldt(ldtSelector, ext);

        saveInterruptedTask();
        memory.write(next.base(), shortBytes(state.systemSegment(CpuState.SystemSegment.TR).selector()), false,
                "TSS");
        descriptors.setTypeBits(selector, descriptor, BUSY);
        long cr0 = port.read(UC_X86_REG_CR0);
        if ((cr0 & X86Flags.CR0_PG) != 0) {
            port.write(UC_X86_REG_CR3, tss.getInt(CR3) & 0xffff_ffffL);
        }
        port.write(UC_X86_REG_CR0, cr0 | CR0_TS);
        for (int i = 0; i < REGISTERS.length; i++) {
            port.write(REGISTERS[i], tss.getInt(GENERAL + 4 * i) & 0xffff_ffffL);
        }
        port.write(UC_X86_REG_EIP, tss.getInt(EIP) & 0xffff_ffffL);
        port.write(UC_X86_REG_EFLAGS, flags);
        state.load();
        for (int i = 0; i < SEGMENT_ORDER.length; i++) {
            state.setSegment(SEGMENT_ORDER[i], segments[i]);
        }
        state.setSystemSegment(CpuState.SystemSegment.TR, next);
        state.setSystemSegment(CpuState.SystemSegment.LDT, ldt);
        state.setHflags(X86Flags.derive(state.hflags(), port.read(UC_X86_REG_CR0), state.efer(), flags, state));
        state.store();
        if (errorCode != null) {
            SegmentCache ss = segments[2];
            long mask = ss.big() ? 0xffff_ffffL : 0xffff;
            long esp = port.read(UC_X86_REG_RSP);
            long newEsp = esp - 4 & mask;
            memory.write(ss.base() + newEsp & 0xffff_ffffL, intBytes(errorCode), false, "stack frame");
            port.write(UC_X86_REG_RSP, esp & ~mask | newEsp);
        }
    }

    /** Writes EIP, EFLAGS, the general registers and the segment selectors into the current TSS. */
    private void saveInterruptedTask() throws DeliveryFault, UndeliverableEvent {
        long base = state.systemSegment(CpuState.SystemSegment.TR).base();
        ByteBuffer saved = ByteBuffer.allocate(LDT - EIP).order(ByteOrder.LITTLE_ENDIAN);
        saved.putInt((int) port.read(UC_X86_REG_EIP)).putInt((int) port.read(UC_X86_REG_EFLAGS));
        for (int register : REGISTERS) {
            saved.putInt((int) port.read(register));
        }
        state.load();
        for (X86Segment segment : SEGMENT_ORDER) {
            saved.putInt(state.segment(segment).selector());
        }
        memory.write(base + EIP, saved.array(), false, "TSS");
    }

    /** @return the new task's ES, CS, SS, DS, FS and GS, checked as the CPU checks them */
    private SegmentCache[] segments(ByteBuffer tss, long flags, int ext) throws DeliveryFault, UndeliverableEvent {
        SegmentCache[] caches = new SegmentCache[SEGMENT_ORDER.length];
        int cpl = tss.getShort(SEGMENTS + 4) & 3;
        for (int i = 0; i < SEGMENT_ORDER.length; i++) {
            int selector = tss.getShort(SEGMENTS + 4 * i) & 0xffff;
            if ((flags & VM) != 0) {
                caches[i] = new SegmentCache(selector, (long) selector << 4, 0xffff, VIRTUAL_8086_FLAGS);
            } else {
                caches[i] = segment(SEGMENT_ORDER[i], selector, cpl, ext);
            }
        }
        return caches;
    }

    private SegmentCache segment(X86Segment which, int selector, int cpl, int ext)
            throws DeliveryFault, UndeliverableEvent {
        if ((selector & 0xfffc) == 0 && which != X86Segment.CS && which != X86Segment.SS) {
            return new SegmentCache(selector, 0, 0, 0);
        }
        long descriptor = descriptors.read(selector, CpuExceptions.INVALID_TSS, ext, "the new task's " + which + " selector");
        boolean segment = (descriptor >>> 44 & 1) != 0;
        boolean code = (descriptor >>> 43 & 1) != 0;
        boolean readableOrWritable = (descriptor >>> 41 & 1) != 0;
        int dpl = (int) (descriptor >>> 45 & 3);
        boolean valid = switch (which) {
            case CS -> segment && code;
            case SS -> segment && !code && readableOrWritable && dpl == cpl && (selector & 3) == cpl;
            default -> segment && (!code || readableOrWritable);
        };
        int error = selector & 0xfffc | ext;
        if (!valid) {
            throw new DeliveryFault(CpuExceptions.INVALID_TSS, error, String.format(Locale.ROOT,
                    "the new task's %s selector 0x%04x is not a segment it can load", which, selector));
        }
        if ((descriptor >>> 47 & 1) == 0) {
            throw new DeliveryFault(which == X86Segment.SS ? CpuExceptions.STACK_FAULT : CpuExceptions.SEGMENT_NOT_PRESENT, error,
                    String.format(Locale.ROOT, "the new task's %s segment 0x%04x is not present", which, selector));
        }
        descriptors.setTypeBits(selector, descriptor, 1);
        return SegmentCache.ofDescriptor(selector, descriptor | 1L << 40);
    }

    /** @return the new task's LDTR: null, or an LDT descriptor of the GDT */
    private SegmentCache ldt(int selector, int ext) throws DeliveryFault, UndeliverableEvent {
        if ((selector & 0xfffc) == 0) {
            return new SegmentCache(selector, 0, 0, 0);
        }
        int error = selector & 0xfffc | ext;
        long descriptor = (selector & 4) == 0
                ? descriptors.read(selector, CpuExceptions.INVALID_TSS, ext, "the new task's LDT selector") : 0;
        if ((descriptor >>> 40 & 0x1f) != 2) {
            throw new DeliveryFault(CpuExceptions.INVALID_TSS, error, String.format(Locale.ROOT,
                    "the new task's LDT selector 0x%04x is not an LDT of the GDT", selector));
        }
        if ((descriptor >>> 47 & 1) == 0) {
            throw new DeliveryFault(CpuExceptions.INVALID_TSS, error, String.format(Locale.ROOT,
                    "the new task's LDT 0x%04x is not present", selector));
        }
        return SegmentCache.ofDescriptor(selector, descriptor);
    }

    private static byte[] shortBytes(int value) {
        return new byte[] {(byte) value, (byte) (value >>> 8)};
    }

    private static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }
}
