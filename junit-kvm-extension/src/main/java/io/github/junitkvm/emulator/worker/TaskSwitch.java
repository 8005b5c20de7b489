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
import java.util.Arrays;
import java.util.Locale;

/**
 * The task switch of an interrupt through a task gate of a 32-bit IDT, as the CPU makes it, to a
 * 32-bit TSS or a 16-bit (80286) one: the gate's TSS is checked (an available TSS of the GDT,
 * present, within its minimum limit); then the switch commits: the interrupted task's EIP,
 * EFLAGS, general registers and segment selectors are saved in its TSS, the new TSS is marked busy
 * with its back link on the interrupted task, TR is on it, CR0.TS is set, CR3 (a 32-bit TSS under
 * paging), EIP, EFLAGS with NT and the general registers are loaded from it; last, its LDT and
 * segments are loaded and checked, so a bad one faults in the new task, as on the CPU; and the
 * error code, if any, is pushed on the new task's stack. The handler's {@code IRET} switches back
 * (the CPU's own {@code IRET}, which Unicorn runs).
 *
 * <p>A 16-bit TSS holds 16-bit registers, which replace the low halves of the general registers
 * (their upper halves stay, as on KVM), and no CR3, FS or GS: those stay as they were.
 */
final class TaskSwitch {
    private static final int AVAILABLE_32 = 0x09;
    private static final int AVAILABLE_16 = 0x01;
    private static final int BUSY = 2;
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

    /** Where a TSS keeps what a task switch saves and loads: each field is {@code width} bytes. */
    private enum Layout {
        SIXTEEN(2, 0x2b, 0x0e, 4),
        THIRTY_TWO(4, 0x67, 0x20, 6);

        final int width;
        final int minimumLimit;
        /** IP, then FLAGS, the eight general registers, the segment selectors and the LDT selector. */
        final int instructionPointer;
        /** ES, CS, SS, DS; and FS, GS in a 32-bit TSS. */
        final int segments;

        Layout(int width, int minimumLimit, int instructionPointer, int segments) {
            this.width = width;
            this.minimumLimit = minimumLimit;
            this.instructionPointer = instructionPointer;
            this.segments = segments;
        }

        static Layout of(int tssType) {
            return (tssType & 8) != 0 ? THIRTY_TWO : SIXTEEN;
        }

        int flags() {
            return instructionPointer + width;
        }

        int general(int index) {
            return instructionPointer + (2 + index) * width;
        }

        int selector(int index) {
            return general(REGISTERS.length) + index * width;
        }

        int ldt() {
            return selector(segments);
        }

        long mask() {
            return width == 4 ? 0xffff_ffffL : 0xffff;
        }

        /** @return the field at {@code offset}, zero-extended */
        long read(ByteBuffer tss, int offset) {
            return (width == 4 ? tss.getInt(offset) : tss.getShort(offset)) & mask();
        }

        /** Appends a field holding the low bytes of {@code value}. */
        void put(ByteBuffer fields, long value) {
            if (width == 4) {
                fields.putInt((int) value);
            } else {
                fields.putShort((short) value);
            }
        }
    }

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
     * @throws DeliveryFault if the TSS is not one the CPU can switch to (raised in the interrupted
     *     task), or a segment it names cannot be loaded ({@link DeliveryFault#inNewTask()})
     * @throws UndeliverableEvent for a page-table entry outside RAM
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
        if (type != AVAILABLE_32 && type != AVAILABLE_16) {
            throw new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, error, String.format(Locale.ROOT,
                    "its task gate's selector 0x%04x is not an available TSS (type 0x%x)", selector, type));
        }
        if ((descriptor >>> 47 & 1) == 0) {
            throw new DeliveryFault(CpuExceptions.SEGMENT_NOT_PRESENT, error, String.format(Locale.ROOT,
                    "its task gate's TSS 0x%04x is not present", selector));
        }
        Layout layout = Layout.of(type);
        SegmentCache next = SegmentCache.ofDescriptor(selector, descriptor | (long) BUSY << 40);
        if ((next.limit() & 0xffff_ffffL) < layout.minimumLimit) {
            throw new DeliveryFault(CpuExceptions.INVALID_TSS, error, String.format(Locale.ROOT,
                    "its task gate's TSS 0x%04x has limit 0x%x, below 0x%x", selector, next.limit(),
                    layout.minimumLimit));
        }
        ByteBuffer tss = ByteBuffer.wrap(memory.read(next.base(), layout.minimumLimit + 1, "TSS"))
                .order(ByteOrder.LITTLE_ENDIAN);

        saveInterruptedTask();
        memory.write(next.base(), shortBytes(state.systemSegment(CpuState.SystemSegment.TR).selector()), false,
                "TSS");
        descriptors.setTypeBits(selector, descriptor, BUSY);
        long cr0 = port.read(UC_X86_REG_CR0);
        if (layout == Layout.THIRTY_TWO && (cr0 & X86Flags.CR0_PG) != 0) {
            port.write(UC_X86_REG_CR3, tss.getInt(CR3) & 0xffff_ffffL);
        }
        port.write(UC_X86_REG_CR0, cr0 | CR0_TS);
        for (int i = 0; i < REGISTERS.length; i++) {
            long kept = port.read(REGISTERS[i]) & ~layout.mask() & 0xffff_ffffL;
            port.write(REGISTERS[i], kept | layout.read(tss, layout.general(i)));
        }
        port.write(UC_X86_REG_EIP, layout.read(tss, layout.instructionPointer));
        long flags = layout.read(tss, layout.flags()) | NT | 2;
        port.write(UC_X86_REG_EFLAGS, flags);
        loadSegments(tss, layout, next, flags, ext);
        if (errorCode != null) {
            pushErrorCode(errorCode, layout);
        }
    }

    /**
     * Puts TR on the new TSS and loads its LDT and segments, their selectors first, as the CPU does;
     * a fault leaves what was loaded before it, and the rest with their new selectors.
     */
    private void loadSegments(ByteBuffer tss, Layout layout, SegmentCache next, long flags, int ext)
            throws DeliveryFault, UndeliverableEvent {
        state.load();
        try {
            state.setSystemSegment(CpuState.SystemSegment.TR, next);
            int[] selectors = new int[layout.segments];
            for (int i = 0; i < selectors.length; i++) {
                selectors[i] = tss.getShort(layout.selector(i)) & 0xffff;
                SegmentCache previous = state.segment(SEGMENT_ORDER[i]);
                state.setSegment(SEGMENT_ORDER[i], new SegmentCache(selectors[i], previous.base(), previous.limit(),
                        previous.flags()));
            }
            state.setSystemSegment(CpuState.SystemSegment.LDT, ldt(tss.getShort(layout.ldt()) & 0xffff, ext));
            int cpl = selectors[1] & 3;
            for (int i = 0; i < selectors.length; i++) {
                state.setSegment(SEGMENT_ORDER[i], (flags & VM) != 0
                        ? new SegmentCache(selectors[i], (long) selectors[i] << 4, 0xffff, VIRTUAL_8086_FLAGS)
                        : segment(SEGMENT_ORDER[i], selectors[i], cpl, ext));
            }
        } catch (DeliveryFault fault) {
            throw fault.inTheNewTask();
        } finally {
            state.setHflags(X86Flags.derive(state.hflags(), port.read(UC_X86_REG_CR0), state.efer(), flags, state));
            state.store();
        }
    }

    private void pushErrorCode(int errorCode, Layout layout) throws DeliveryFault, UndeliverableEvent {
        state.load();
        SegmentCache ss = state.segment(X86Segment.SS);
        long mask = ss.big() ? 0xffff_ffffL : 0xffff;
        long esp = port.read(UC_X86_REG_RSP);
        long newEsp = esp - layout.width & mask;
        byte[] value = intBytes(errorCode);
        memory.write(ss.base() + newEsp & 0xffff_ffffL, Arrays.copyOf(value, layout.width), false, "stack frame");
        port.write(UC_X86_REG_RSP, esp & ~mask | newEsp);
    }

    /** Writes EIP, EFLAGS, the general registers and the segment selectors into the current TSS, in its layout. */
    private void saveInterruptedTask() throws DeliveryFault, UndeliverableEvent {
        state.load();
        SegmentCache current = state.systemSegment(CpuState.SystemSegment.TR);
        Layout layout = Layout.of(current.type());
        ByteBuffer saved = ByteBuffer.allocate(layout.ldt() - layout.instructionPointer).order(ByteOrder.LITTLE_ENDIAN);
        layout.put(saved, port.read(UC_X86_REG_EIP));
        layout.put(saved, port.read(UC_X86_REG_EFLAGS));
        for (int register : REGISTERS) {
            layout.put(saved, port.read(register));
        }
        for (int i = 0; i < layout.segments; i++) {
            layout.put(saved, state.segment(SEGMENT_ORDER[i]).selector());
        }
        memory.write(current.base() + layout.instructionPointer, saved.array(), false, "TSS");
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
