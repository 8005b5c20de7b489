package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR2;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EFLAGS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_ESP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_IDTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RSP;

import io.github.junitkvm.DescriptorTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Delivers an interrupt or exception through the guest's own tables, as the CPU does (Intel SDM
 * vol. 3 ch. 6, AMD APM vol. 2 ch. 8), in the mode the CPU is in now (CR0.PE, EFER.LMA), whatever
 * mode the engine was opened for: the IVT in real mode; in protected mode a 32- or 16-bit interrupt
 * or trap gate of the IDT; in long mode a 16-byte gate, with SS:RSP pushed and the stack aligned to
 * 16 bytes.
 *
 * <p>A handler of a more privileged ring (its code segment's DPL below CPL, not conforming) gets
 * the stack of its ring from the TSS that TR holds, with the interrupted SS:ESP pushed on it
 * (from virtual-8086 mode, GS, FS, DS and ES too, which are then cleared); in long mode a gate's IST
 * index names a TSS stack whatever the ring. {@code INT n}, {@code INT3} and {@code INTO} reach only
 * gates whose DPL is at least CPL. The handler's code segment may be in the GDT or the LDT. Tables,
 * TSS and stacks are reached at linear addresses through the guest's page tables
 * ({@link LinearMemory}).
 *
 * <p>An exception while delivering (a gate beyond the table's limit or of a wrong type, a gate,
 * code or stack segment not present, a TSS too short, a page the tables do not map) is delivered
 * instead, with CR2 set for a page fault, or turns into a double fault by the CPU's rules (two
 * contributory exceptions, or a page fault and then a contributory one or a page fault), and one
 * during a double fault is a triple fault: a shutdown. A task gate switches tasks
 * ({@link TaskSwitch}).
 *
 * <p>The handler's code segment is loaded whole, as the CPU loads it: selector × 16 as the base in
 * real mode, the gate's descriptor in protected and long mode, with the code width it selects.
 * Unicorn's register API cannot do that in a {@code UC_MODE_64} engine (writing CS sets the
 * selector alone), so the segments go through the {@link CpuState}, as the host's
 * {@code setSpecialRegisters} does.
 */
final class InterruptDelivery {
    private static final int TASK_GATE = 0x05;
    private static final long IF = 1 << 9;
    private static final long TF = 1 << 8;
    private static final long NT = 1 << 14;
    private static final long RF = 1 << 16;
    private static final long VM = 1 << 17;
    private static final long AC = 1 << 18;
    /** The IDT bit of an error code: the fault concerns a gate, not a segment selector. */
    private static final int IDT_ERROR = 2;
    private static final int RING_3 = 3;
    /** {@link #push}'s mask of a long-mode stack pointer: all 64 bits. */
    private static final long LONG_MODE_STACK = -1L;

    private final RegisterPort port;
    private final CpuState state;
    private final LinearMemory memory;
    private final DescriptorReader descriptors;
    private final TaskStateSegment tss;
    private final TaskSwitch taskSwitch;

    /**
     * Guest physical memory as a delivery reaches it: RAM, and MMIO, whose accesses are exits to
     * the run's handlers, as a CPU's reach the device.
     */
    interface Ram {
        /**
         * @param address guest physical address, the bytes within one page
         * @param length byte count
         * @return the bytes, or null if they are neither RAM nor MMIO the emulator serves
         */
        byte[] readOrNull(long address, int length);

        /**
         * @param address guest physical address, the bytes within one page
         * @param data the bytes
         * @return false if they are neither RAM nor MMIO the emulator serves (nothing is written then)
         */
        boolean write(long address, byte[] data);
    }

    /**
     * How a delivery ended.
     *
     * @param shutdown the triple fault's description, or null
     * @param unsupported why the emulator cannot deliver this, or null
     */
    record Outcome(String shutdown, String unsupported) {
        static final Outcome DELIVERED = new Outcome(null, null);
    }

    /** The handler's code segment, and the ring the CPU enters with it. */
    private record Handler(int selector, long descriptor, long offset, int ring, boolean stackSwitch) {
    }

    /**
     * @param port the engine's registers
     * @param state the engine's segment caches, mode flags and EFER
     * @param ram the engine's RAM
     */
    InterruptDelivery(RegisterPort port, CpuState state, Ram ram) {
        this.port = port;
        this.state = state;
        this.memory = new LinearMemory(port, state, ram);
        this.descriptors = new DescriptorReader(port, state, memory);
        this.tss = new TaskStateSegment(state, memory);
        this.taskSwitch = new TaskSwitch(port, state, memory, descriptors);
    }

    /** Where an event comes from, which decides its error code, EXT bit, RF and DPL check. */
    private enum Source {
        /** {@code INT n}, {@code INT3}, {@code INTO}: checked against the gate's DPL, EIP after the instruction. */
        SOFTWARE,
        /** A CPU exception: an error code for the vectors that have one, RF for faults. */
        EXCEPTION,
        /** An interrupt from outside the CPU (a controller, NMI): no error code, whatever the vector. */
        EXTERNAL
    }

    /**
     * @param vector the vector raised
     * @param software whether an {@code INT n}, {@code INT3} or {@code INTO} raised it (EIP is then
     *     past the instruction, and no error code is pushed); else a CPU exception
     * @param errorCode the error code the CPU computed, for the exceptions that push one
     * @param description the event in words, for a shutdown's description
     * @return how the delivery ended; after {@link Outcome#DELIVERED} CS:EIP is at the handler
     */
    Outcome deliver(int vector, boolean software, int errorCode, String description) {
        return deliver(vector, software ? Source.SOFTWARE : Source.EXCEPTION, errorCode, description);
    }

    /**
     * Delivers an interrupt from outside the CPU (an interrupt controller's, or NMI), between two
     * instructions: no error code, the EXT bit in the error codes of the faults it meets, no DPL
     * check. The caller decides whether the CPU takes it now (EFLAGS.IF, the interrupt shadow).
     *
     * @param vector the vector
     * @param description the event in words, for a shutdown's description
     * @return how the delivery ended; after {@link Outcome#DELIVERED} CS:EIP is at the handler
     */
    Outcome deliverExternal(int vector, String description) {
        return deliver(vector, Source.EXTERNAL, 0, description);
    }

    private Outcome deliver(int vector, Source source, int errorCode, String description) {
        List<String> chain = new ArrayList<>();
        int current = vector;
        int code = errorCode;
        Source from = source;
        while (true) {
            try {
                deliverOnce(current, from, code);
                return Outcome.DELIVERED;
            } catch (UndeliverableEvent e) {
                return new Outcome(null, String.format(Locale.ROOT, "%s: %s", CpuExceptions.name(current),
                        e.getMessage()));
            } catch (DeliveryFault fault) {
                chain.add(String.format(Locale.ROOT, "delivering %s: %s", CpuExceptions.name(current),
                        fault.getMessage()));
                if (from == Source.EXCEPTION && current == CpuExceptions.DOUBLE_FAULT && !fault.isInTheNewTask()) {
                    return new Outcome(String.format(Locale.ROOT, "triple fault after %s (%s)", description,
                            String.join("; ", chain)), null);
                }
                if (fault.isPageFault()) {
                    port.write(UC_X86_REG_CR2, fault.pageFaultAddress());
                }
                int next = fault.vector();
                // Only an exception being delivered can double: software and external events are benign,
                // and a task switch that committed delivered its event.
                boolean doubled = from == Source.EXCEPTION && !fault.isInTheNewTask()
                        && (contributory(current) && contributory(next)
                        || current == CpuExceptions.PAGE_FAULT && (contributory(next) || next == CpuExceptions.PAGE_FAULT));
                if (from == Source.SOFTWARE && !fault.isInTheNewTask()) {
                    // The fault is reported at the INT instruction, not after it.
                    rewindSoftwareInterrupt(current);
                }
                from = Source.EXCEPTION;
                current = doubled ? CpuExceptions.DOUBLE_FAULT : next;
                code = doubled ? 0 : fault.errorCode();
            }
        }
    }

    private static boolean contributory(int vector) {
        return vector == 0 || vector >= CpuExceptions.INVALID_TSS && vector <= CpuExceptions.GENERAL_PROTECTION;
    }

    private static boolean pushesErrorCode(int vector) {
        return vector == CpuExceptions.DOUBLE_FAULT || vector >= CpuExceptions.INVALID_TSS && vector <= CpuExceptions.PAGE_FAULT || vector == 17 || vector == 21;
    }

    /** Fault-class exceptions, whose pushed EFLAGS has RF set so that the handler's IRET retries. */
    private static boolean isFault(int vector) {
        return vector == 0 || vector >= 5 && vector <= 7 || vector >= CpuExceptions.INVALID_TSS && vector <= CpuExceptions.PAGE_FAULT
                || vector == 16 || vector == 17 || vector >= 19 && vector <= 21;
    }

    private void deliverOnce(int vector, Source source, int errorCode) throws DeliveryFault, UndeliverableEvent {
        state.load();
        if (!protectedMode()) {
            deliverReal(vector);
            return;
        }
        // Faults raised on the way name an event external to the program (EXT) unless INT n raised it.
        int ext = source == Source.SOFTWARE ? 0 : 1;
        boolean longMode = longMode();
        long[] gate = gate(vector, longMode ? 16 : 8, ext);
        int type = (int) (gate[0] >>> 40 & 0x1f);
        boolean valid = type == 0x0e || type == 0x0f || !longMode && (type == 0x06 || type == 0x07 || type == TASK_GATE);
        if (!valid) {
            throw gateFault(vector, ext, String.format(Locale.ROOT, "its IDT entry has type 0x%x, not %s", type,
                    longMode ? "a 64-bit interrupt or trap gate" : "an interrupt, trap or task gate"));
        }
        int cpl = state.hflags() & 3;
        int gateDpl = (int) (gate[0] >>> 45 & 3);
        if (source == Source.SOFTWARE && gateDpl < cpl) {
            throw gateFault(vector, 0, String.format(Locale.ROOT, "its gate's DPL %d is below the CPL %d of the"
                    + " INT instruction", gateDpl, cpl));
        }
        if (!bit(gate[0], 47)) {
            throw new DeliveryFault(CpuExceptions.SEGMENT_NOT_PRESENT, vector * 8 + IDT_ERROR + ext, "its IDT gate is not present");
        }
        boolean withError = source == Source.EXCEPTION && pushesErrorCode(vector);
        if (type == TASK_GATE) {
            taskSwitch.throughGate((int) (gate[0] >>> 16 & 0xffff), ext, withError ? errorCode : null);
            return;
        }
        long offset = longMode ? gate[0] & 0xffff | (gate[0] >>> 48 & 0xffff) << 16 | (gate[1] & 0xffff_ffffL) << 32
                : gate[0] & 0xffff | ((type & 8) != 0 ? (gate[0] >>> 48 & 0xffff) << 16 : 0);
        Handler handler = handler((int) (gate[0] >>> 16 & 0xffff), offset, cpl, ext, longMode);
        boolean interruptGate = (type & 1) == 0;
        long flags = port.read(UC_X86_REG_EFLAGS);
        long pushedFlags = source == Source.EXCEPTION && isFault(vector) ? flags | RF : flags;
        if (longMode) {
            deliverLong(handler, (int) (gate[0] >>> 32 & 7), ext, withError ? errorCode : null, pushedFlags);
        } else {
            deliverProtected(handler, (type & 8) != 0 ? 4 : 2, ext, withError ? errorCode : null, pushedFlags);
        }
        port.write(UC_X86_REG_EFLAGS, flags & ~(TF | NT | RF | VM | (interruptGate ? IF : 0)));
        loadCodeSegment(SegmentCache.ofDescriptor(handler.selector() & 0xfffc | handler.ring(), handler.descriptor()));
        port.write(longMode ? UC_X86_REG_RIP : UC_X86_REG_EIP, handler.offset());
    }

    private void deliverReal(int vector) throws DeliveryFault, UndeliverableEvent {
        DescriptorTable ivt = port.readTable(UC_X86_REG_IDTR);
        if (vector * 4L + 3 > ivt.limit()) {
            throw new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, 0, String.format(Locale.ROOT,
                    "its IVT entry at 0x%x is beyond the IVT's limit 0x%x", ivt.base() + vector * 4L, ivt.limit()));
        }
        byte[] entry = memory.read(ivt.base() + vector * 4L, 4, "IVT entry");
        int offset = (entry[0] & 0xff) | (entry[1] & 0xff) << 8;
        int segment = (entry[2] & 0xff) | (entry[3] & 0xff) << 8;
        long flags = port.read(UC_X86_REG_EFLAGS);
        long sp = port.read(UC_X86_REG_ESP);
        SegmentCache ss = state.segment(X86Segment.SS);
        push(ss.base(), sp, 0xffff, 2, false, new long[] {flags, port.read(UC_X86_REG_CS) & 0xffff,
            port.read(UC_X86_REG_EIP) & 0xffff});
        port.write(UC_X86_REG_ESP, sp & ~0xffffL | sp - 6 & 0xffff);
        port.write(UC_X86_REG_EFLAGS, flags & ~(IF | TF | AC | RF));
        // Real mode keeps the limit and attributes CS had (as QEMU and a CPU do); only selector and base change.
        SegmentCache previous = state.segment(X86Segment.CS);
        loadCodeSegment(new SegmentCache(segment, (long) segment << 4, previous.limit(), previous.flags()));
        port.write(UC_X86_REG_EIP, offset);
    }

    /**
     * Pushes the frame of a protected-mode gate: on the TSS's stack for a more privileged ring,
     * with SS:ESP (and from virtual-8086 mode the data segments) first; else on the current stack.
     */
    private void deliverProtected(Handler handler, int width, int ext, Integer errorCode, long flags)
            throws DeliveryFault, UndeliverableEvent {
        boolean fromVirtual8086 = (flags & VM) != 0;
        if (fromVirtual8086 && (handler.ring() != 0 || width != 4)) {
            throw new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, handler.selector() & 0xfffc | ext, String.format(Locale.ROOT,
                    "from virtual-8086 mode its handler must be a 32-bit gate to ring 0, not %d-bit to ring %d",
                    width * 8, handler.ring()));
        }
        List<Long> frame = new ArrayList<>();
        SegmentCache stack = state.segment(X86Segment.SS);
        long esp = port.read(UC_X86_REG_ESP) & 0xffff_ffffL;
        if (handler.stackSwitch()) {
            if (fromVirtual8086) {
                for (X86Segment segment : new X86Segment[] {X86Segment.GS, X86Segment.FS, X86Segment.DS,
                    X86Segment.ES}) {
                    frame.add((long) state.segment(segment).selector());
                }
            }
            frame.add((long) stack.selector());
            frame.add(esp);
            TaskStateSegment.Stack inner = tss.protectedModeStack(handler.ring(), ext);
            stack = stackSegment(inner.selector(), handler.ring(), ext);
            esp = inner.pointer();
        }
        frame.add(flags);
        frame.add(port.read(UC_X86_REG_CS) & 0xffff);
        frame.add(port.read(UC_X86_REG_EIP) & 0xffff_ffffL);
        if (errorCode != null) {
            frame.add(errorCode & 0xffff_ffffL);
        }
        long mask = stack.big() ? 0xffff_ffffL : 0xffff;
        push(stack.base(), esp, mask, width, handler.ring() == RING_3, frame.stream().mapToLong(Long::longValue).toArray());
        long newEsp = esp - (long) width * frame.size() & mask;
        state.load();
        if (handler.stackSwitch()) {
            state.setSegment(X86Segment.SS, stack);
            if (fromVirtual8086) {
                for (X86Segment segment : new X86Segment[] {X86Segment.DS, X86Segment.ES, X86Segment.FS,
                    X86Segment.GS}) {
                    state.setSegment(segment, new SegmentCache(0, 0, 0, 0));
                }
            }
            state.store();
            port.write(UC_X86_REG_ESP, newEsp);
        } else {
            port.write(UC_X86_REG_ESP, port.read(UC_X86_REG_ESP) & ~mask | newEsp);
        }
    }

    /**
     * Pushes a long-mode frame (SS, RSP, RFLAGS, CS, RIP, the error code, 8 bytes each) on a stack
     * aligned to 16 bytes: the gate's IST stack, else the TSS's stack for a more privileged ring,
     * else the current one. A change of ring loads SS with a null selector of the new ring.
     */
    private void deliverLong(Handler handler, int ist, int ext, Integer errorCode, long flags)
            throws DeliveryFault, UndeliverableEvent {
        long rsp = port.read(UC_X86_REG_RSP);
        long newRsp = ist != 0 || handler.stackSwitch() ? tss.longModeStack(handler.ring(), ist, ext) : rsp;
        newRsp &= ~0xfL;
        long[] frame = errorCode == null
                ? new long[] {state.segment(X86Segment.SS).selector(), rsp, flags, port.read(UC_X86_REG_CS) & 0xffff,
                    port.read(UC_X86_REG_RIP)}
                : new long[] {state.segment(X86Segment.SS).selector(), rsp, flags, port.read(UC_X86_REG_CS) & 0xffff,
                    port.read(UC_X86_REG_RIP), errorCode & 0xffff_ffffL};
        push(0, newRsp, LONG_MODE_STACK, 8, handler.ring() == RING_3, frame);
        if (handler.stackSwitch()) {
            state.load();
            state.setSegment(X86Segment.SS, SegmentCache.nullStack(handler.ring()));
            state.store();
        }
        port.write(UC_X86_REG_RSP, newRsp - 8L * frame.length);
    }

    /**
     * Writes the frame below {@code top}, one push after the other as the CPU makes them, so that a
     * page fault names the first address the CPU could not write.
     *
     * @param base the stack segment's base
     * @param top the stack pointer before the pushes
     * @param mask the stack pointer's width: 16 or 32 bits, or {@link #LONG_MODE_STACK}, which
     *     leaves linear addresses 64 bits wide where the others wrap at 4 GiB
     */
    private void push(long base, long top, long mask, int width, boolean user, long[] values)
            throws DeliveryFault, UndeliverableEvent {
        for (int i = 0; i < values.length; i++) {
            ByteBuffer item = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
            for (int b = 0; b < width; b++) {
                item.put((byte) (values[i] >>> 8 * b));
            }
            long offset = top - (long) width * (i + 1) & mask;
            long linear = mask == LONG_MODE_STACK ? offset : base + offset & 0xffff_ffffL;
            memory.write(linear, item.array(), user, "stack frame");
        }
    }

    /** @return the gate's 8-byte words, after checking the IDT's limit */
    private long[] gate(int vector, int size, int ext) throws DeliveryFault, UndeliverableEvent {
        DescriptorTable idt = port.readTable(UC_X86_REG_IDTR);
        long offset = (long) vector * size;
        if (offset + size - 1 > idt.limit()) {
            throw gateFault(vector, ext, String.format(Locale.ROOT, "its IDT entry at 0x%x is beyond the IDT's limit"
                    + " 0x%x", idt.base() + offset, idt.limit()));
        }
        ByteBuffer bytes = ByteBuffer.wrap(memory.read(idt.base() + offset, size, "IDT entry"))
                .order(ByteOrder.LITTLE_ENDIAN);
        long[] words = new long[size / 8];
        for (int i = 0; i < words.length; i++) {
            words[i] = bytes.getLong();
        }
        return words;
    }

    private static DeliveryFault gateFault(int vector, int ext, String reason) {
        return new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, vector * 8 + IDT_ERROR + ext, reason);
    }

    /**
     * @return the handler's code segment from the GDT or LDT, checked as the CPU checks it, and the
     *     ring it runs in: its DPL for a non-conforming segment (a stack switch if below CPL), CPL
     *     for a conforming one
     */
    private Handler handler(int selector, long offset, int cpl, int ext, boolean longMode)
            throws DeliveryFault, UndeliverableEvent {
        long descriptor = descriptors.read(selector, CpuExceptions.GENERAL_PROTECTION, ext, "its gate's selector");
        int error = selector & 0xfffc | ext;
        int dpl = (int) (descriptor >>> 45 & 3);
        if (!bit(descriptor, 44) || !bit(descriptor, 43)) {
            throw new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, error, String.format(Locale.ROOT,
                    "its gate's selector 0x%04x is not a code segment", selector));
        }
        if (dpl > cpl) {
            throw new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, error, String.format(Locale.ROOT,
                    "its gate's code segment 0x%04x has DPL %d, above the CPL %d", selector, dpl, cpl));
        }
        if (!bit(descriptor, 47)) {
            throw new DeliveryFault(CpuExceptions.SEGMENT_NOT_PRESENT, error, String.format(Locale.ROOT,
                    "its gate's code segment 0x%04x is not present", selector));
        }
        if (longMode && (!bit(descriptor, 53) || bit(descriptor, 54))) {
            throw new DeliveryFault(CpuExceptions.GENERAL_PROTECTION, error, String.format(Locale.ROOT,
                    "its gate's code segment 0x%04x is not a 64-bit one", selector));
        }
        descriptors.setTypeBits(selector, descriptor, 1);
        boolean conforming = bit(descriptor, 42);
        int ring = conforming ? cpl : dpl;
        return new Handler(selector, descriptor | 1L << 40, offset, ring, ring < cpl);
    }

    /** @return the stack segment the TSS names for a ring, checked as the CPU checks it (#TS, #SS) */
    private SegmentCache stackSegment(int selector, int ring, int ext) throws DeliveryFault, UndeliverableEvent {
        long descriptor = descriptors.read(selector, CpuExceptions.INVALID_TSS, ext, "the TSS's stack selector");
        int error = selector & 0xfffc | ext;
        boolean writableData = bit(descriptor, 44) && !bit(descriptor, 43) && bit(descriptor, 41);
        if ((selector & 3) != ring || (descriptor >>> 45 & 3) != ring || !writableData) {
            throw new DeliveryFault(CpuExceptions.INVALID_TSS, error, String.format(Locale.ROOT, "the TSS's stack selector 0x%04x"
                    + " for ring %d is not a writable data segment of that ring", selector, ring));
        }
        if (!bit(descriptor, 47)) {
            throw new DeliveryFault(CpuExceptions.STACK_FAULT, error, String.format(Locale.ROOT,
                    "the TSS's stack segment 0x%04x is not present", selector));
        }
        descriptors.setTypeBits(selector, descriptor, 1);
        return SegmentCache.ofDescriptor(selector, descriptor | 1L << 40);
    }

    /**
     * Loads CS as the CPU does when it enters the handler, with the code width and privilege that
     * follow from it and SS. The state is loaded again first: the stack pointer and EFLAGS (already
     * the handler's) were written through the register API since.
     */
    private void loadCodeSegment(SegmentCache cs) {
        state.load();
        state.setSegment(X86Segment.CS, cs);
        state.setHflags(X86Flags.derive(state.hflags(), port.read(UC_X86_REG_CR0), state.efer(),
                port.read(UC_X86_REG_EFLAGS), state));
        state.store();
    }

    private boolean protectedMode() {
        return (port.read(UC_X86_REG_CR0) & X86Flags.CR0_PE) != 0;
    }

    private boolean longMode() {
        return (state.efer() & X86Flags.EFER_LMA) != 0;
    }

    /** Moves EIP back onto the {@code INT n} (2 bytes), {@code INT3} or {@code INTO} (1 byte) just run. */
    private void rewindSoftwareInterrupt(int vector) {
        state.load();
        // Compatibility mode, like protected mode, adds the code segment's base; 64-bit code does not.
        boolean sixtyFourBit = X86Flags.codeWidth(state.hflags()) == EngineKind.SIXTY_FOUR_BIT;
        int ipRegister = sixtyFourBit ? UC_X86_REG_RIP : UC_X86_REG_EIP;
        long ip = port.read(ipRegister);
        long codeBase = sixtyFourBit ? 0 : state.segment(X86Segment.CS).base();
        byte[] before = memory.readOrNull(codeBase + ip - 2, 2);
        boolean intN = before != null && (before[0] & 0xff) == 0xcd && (before[1] & 0xff) == vector;
        port.write(ipRegister, ip - (intN ? 2 : 1));
    }

    private static boolean bit(long value, int index) {
        return (value >>> index & 1) != 0;
    }
}
