package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EFLAGS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_ESP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GDTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_IDTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RSP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_SS;

import io.github.junitkvm.DescriptorTable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Delivers an interrupt or exception through the guest's own tables, as the CPU does, in the mode
 * the CPU is in now (CR0.PE, EFER.LMA), whatever mode the engine was opened for: the IVT in real
 * mode; in protected mode a 32- or 16-bit interrupt or trap gate of the IDT; in long mode a 16-byte
 * gate, with SS:RSP pushed and the stack aligned to 16 bytes. An exception while delivering (a gate
 * beyond the table's limit or of a wrong type, a gate or code segment not present, a stack outside
 * RAM) is delivered instead, or turns into a double fault by the CPU's rules (two contributory
 * exceptions, or a page fault and then a contributory one or a page fault), and one during a
 * double fault is a triple fault: a shutdown.
 *
 * <p>Ring 0 only: a privilege change needs the TSS's stacks, which is taken for an emulator
 * limit ({@link Outcome#unsupported}), as are task gates, LDT selectors and IST stacks. Tables and
 * stacks are read and written at their linear addresses, as the emulator maps pages one to one.
 *
 * <p>The handler's code segment is loaded whole, as the CPU loads it: selector × 16 as the base in
 * real mode, the gate's GDT descriptor in protected and long mode, with the code width it selects.
 * Unicorn's register API cannot do that in a {@code UC_MODE_64} engine (writing CS sets the
 * selector alone), so the segment goes through the {@link CpuState}, as the host's
 * {@code setSpecialRegisters} does.
 */
final class InterruptDelivery {
    private static final int DOUBLE_FAULT = 8;
    private static final int INVALID_TSS = 10;
    private static final int SEGMENT_NOT_PRESENT = 11;
    private static final int STACK_FAULT = 12;
    private static final int GENERAL_PROTECTION = 13;
    private static final int PAGE_FAULT = 14;
    private static final long IF = 1 << 9;
    private static final long TF = 1 << 8;
    private static final long NT = 1 << 14;
    private static final long RF = 1 << 16;
    private static final long VM = 1 << 17;
    private static final long AC = 1 << 18;
    /** The IDT bit of an error code: the fault concerns a gate, not a segment selector. */
    private static final int IDT_ERROR = 2;

    private final RegisterPort port;
    private final CpuState state;
    private final Ram ram;

    /** Guest RAM, read and written at linear addresses without touching MMIO. */
    interface Ram {
        /**
         * @param address guest address
         * @param length byte count
         * @return the bytes, or null if some are not RAM
         */
        byte[] readOrNull(long address, int length);

        /**
         * @param address guest address
         * @param data the bytes
         * @return false if some of the bytes are not RAM (nothing is written then)
         */
        boolean writeIfRam(long address, byte[] data);
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

    /** An exception the CPU raises while delivering another one. */
    private static final class DeliveryFault extends Exception {
        private static final long serialVersionUID = 1L;
        final int vector;
        final int errorCode;

        DeliveryFault(int vector, int errorCode, String reason) {
            super(reason, null, false, false);
            this.vector = vector;
            this.errorCode = errorCode;
        }
    }

    /** A delivery the emulator cannot do as the CPU would. */
    private static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param port the engine's registers
     * @param state the engine's segment caches, mode flags and EFER
     * @param ram the engine's RAM
     */
    InterruptDelivery(RegisterPort port, CpuState state, Ram ram) {
        this.port = port;
        this.state = state;
        this.ram = ram;
    }

    /**
     * @param vector the vector raised
     * @param software whether an {@code INT n}, {@code INT3} or {@code INTO} raised it (EIP is then
     *     past the instruction, and no error code is pushed)
     * @param errorCode the error code the CPU computed, for the exceptions that push one
     * @param description the event in words, for a shutdown's description
     * @return how the delivery ended; after {@link Outcome#DELIVERED} CS:EIP is at the handler
     */
    Outcome deliver(int vector, boolean software, int errorCode, String description) {
        List<String> chain = new ArrayList<>();
        int current = vector;
        int code = errorCode;
        boolean soft = software;
        while (true) {
            try {
                deliverOnce(current, soft, code);
                return Outcome.DELIVERED;
            } catch (Unsupported e) {
                return new Outcome(null, String.format(Locale.ROOT, "%s: %s", CpuExceptions.name(current),
                        e.getMessage()));
            } catch (DeliveryFault fault) {
                chain.add(String.format(Locale.ROOT, "delivering %s: %s", CpuExceptions.name(current),
                        fault.getMessage()));
                if (current == DOUBLE_FAULT) {
                    return new Outcome(String.format(Locale.ROOT, "triple fault after %s (%s)", description,
                            String.join("; ", chain)), null);
                }
                boolean doubled = contributory(current) && contributory(fault.vector)
                        || current == PAGE_FAULT && (contributory(fault.vector) || fault.vector == PAGE_FAULT);
                if (soft) {
                    // The fault is reported at the INT instruction, not after it.
                    rewindSoftwareInterrupt(current);
                    soft = false;
                }
                current = doubled ? DOUBLE_FAULT : fault.vector;
                code = doubled ? 0 : fault.errorCode;
            }
        }
    }

    private static boolean contributory(int vector) {
        return vector == 0 || vector >= INVALID_TSS && vector <= GENERAL_PROTECTION;
    }

    private static boolean pushesErrorCode(int vector) {
        return vector == DOUBLE_FAULT || vector >= INVALID_TSS && vector <= PAGE_FAULT || vector == 17 || vector == 21;
    }

    /** Fault-class exceptions, whose pushed EFLAGS has RF set so that the handler's IRET retries. */
    private static boolean isFault(int vector) {
        return vector == 0 || vector >= 5 && vector <= 7 || vector >= INVALID_TSS && vector <= PAGE_FAULT
                || vector == 16 || vector == 17 || vector >= 19 && vector <= 21;
    }

    private void deliverOnce(int vector, boolean software, int errorCode) throws DeliveryFault, Unsupported {
        state.load();
        if (!protectedMode()) {
            deliverReal(vector);
        } else if (longMode()) {
            deliverLong(vector, software, errorCode);
        } else {
            deliverProtected(vector, software, errorCode);
        }
    }

    private void deliverReal(int vector) throws DeliveryFault {
        DescriptorTable ivt = port.readTable(UC_X86_REG_IDTR);
        if (vector * 4L + 3 > ivt.limit()) {
            throw new DeliveryFault(GENERAL_PROTECTION, 0, String.format(Locale.ROOT,
                    "its IVT entry at 0x%x is beyond the IVT's limit 0x%x", ivt.base() + vector * 4L, ivt.limit()));
        }
        byte[] entry = readOrFault(ivt.base() + vector * 4L, 4, "IVT entry");
        int offset = (entry[0] & 0xff) | (entry[1] & 0xff) << 8;
        int segment = (entry[2] & 0xff) | (entry[3] & 0xff) << 8;
        long flags = port.read(UC_X86_REG_EFLAGS);
        int cs = (int) port.read(UC_X86_REG_CS) & 0xffff;
        long ip = port.read(UC_X86_REG_EIP) & 0xffff;
        long sp = port.read(UC_X86_REG_ESP);
        long newSp = sp - 6 & 0xffff;
        ByteBuffer frame = frame(6);
        frame.putShort((short) ip).putShort((short) cs).putShort((short) flags);
        writeOrFault(stackBase() + newSp & 0xffff_ffffL, frame.array(), STACK_FAULT);
        port.write(UC_X86_REG_ESP, sp & ~0xffffL | newSp);
        port.write(UC_X86_REG_EFLAGS, flags & ~(IF | TF | AC | RF));
        // Real mode keeps the limit and attributes CS had (as QEMU and a CPU do); only selector and base change.
        SegmentCache previous = state.segment(X86Segment.CS);
        loadCodeSegment(new SegmentCache(segment, (long) segment << 4, previous.limit(), previous.flags()));
        port.write(UC_X86_REG_EIP, offset);
    }

    private void deliverProtected(int vector, boolean software, int errorCode) throws DeliveryFault, Unsupported {
        long gate = gate(vector, 8)[0];
        int type = (int) (gate >>> 40 & 0x1f);
        boolean thirtyTwo = type == 0x0e || type == 0x0f;
        if (!thirtyTwo && type != 0x06 && type != 0x07) {
            if (type == 0x05) {
                throw new Unsupported("its IDT entry is a task gate, which the emulator does not switch tasks for");
            }
            throw gateFault(vector, String.format(Locale.ROOT, "its IDT entry has type 0x%x, not an interrupt or"
                    + " trap gate", type));
        }
        requirePresent(vector, gate);
        int selector = (int) (gate >>> 16 & 0xffff);
        long offset = gate & 0xffff | (thirtyTwo ? (gate >>> 48 & 0xffff) << 16 : 0);
        long code = ringZeroCode(selector);
        long flags = port.read(UC_X86_REG_EFLAGS);
        int width = thirtyTwo ? 4 : 2;
        boolean withError = !software && pushesErrorCode(vector);
        int size = width * (withError ? 4 : 3);
        long esp = port.read(UC_X86_REG_ESP) & 0xffff_ffffL;
        long mask = state.segment(X86Segment.SS).big() ? 0xffff_ffffL : 0xffff;
        long newEsp = esp - size & mask;
        ByteBuffer frame = frame(size);
        long pushedFlags = !software && isFault(vector) ? flags | RF : flags;
        long[] values = withError
                ? new long[] {errorCode, port.read(UC_X86_REG_EIP), port.read(UC_X86_REG_CS) & 0xffff, pushedFlags}
                : new long[] {port.read(UC_X86_REG_EIP), port.read(UC_X86_REG_CS) & 0xffff, pushedFlags};
        for (long value : values) {
            if (width == 4) {
                frame.putInt((int) value);
            } else {
                frame.putShort((short) value);
            }
        }
        writeOrFault(stackBase() + newEsp & 0xffff_ffffL, frame.array(), STACK_FAULT);
        port.write(UC_X86_REG_ESP, esp & ~mask | newEsp);
        port.write(UC_X86_REG_EFLAGS, flags & ~(TF | NT | RF | VM | ((type & 1) == 0 ? IF : 0)));
        loadCodeSegment(SegmentCache.ofDescriptor(selector & 0xfffc, code));
        port.write(UC_X86_REG_EIP, offset);
    }

    private void deliverLong(int vector, boolean software, int errorCode) throws DeliveryFault, Unsupported {
        long[] gate = gate(vector, 16);
        int type = (int) (gate[0] >>> 40 & 0x1f);
        if (type != 0x0e && type != 0x0f) {
            throw gateFault(vector, String.format(Locale.ROOT, "its IDT entry has type 0x%x, not a 64-bit"
                    + " interrupt or trap gate", type));
        }
        requirePresent(vector, gate[0]);
        if ((gate[0] >>> 32 & 7) != 0) {
            throw new Unsupported("its IDT gate names an IST stack, which the emulator does not switch to");
        }
        int selector = (int) (gate[0] >>> 16 & 0xffff);
        long offset = gate[0] & 0xffff | (gate[0] >>> 48 & 0xffff) << 16 | (gate[1] & 0xffff_ffffL) << 32;
        long code = ringZeroCode(selector);
        long flags = port.read(UC_X86_REG_EFLAGS);
        boolean withError = !software && pushesErrorCode(vector);
        long rsp = port.read(UC_X86_REG_RSP);
        long newRsp = (rsp & ~0xfL) - (withError ? 48 : 40);
        ByteBuffer frame = frame(withError ? 48 : 40);
        if (withError) {
            frame.putLong(errorCode & 0xffff_ffffL);
        }
        frame.putLong(port.read(UC_X86_REG_RIP)).putLong(port.read(UC_X86_REG_CS) & 0xffff)
                .putLong(!software && isFault(vector) ? flags | RF : flags).putLong(rsp)
                .putLong(port.read(UC_X86_REG_SS) & 0xffff);
        writeOrFault(newRsp, frame.array(), STACK_FAULT);
        port.write(UC_X86_REG_RSP, newRsp);
        port.write(UC_X86_REG_EFLAGS, flags & ~(TF | NT | RF | VM | ((type & 1) == 0 ? IF : 0)));
        // At the same privilege and without an IST stack, SS stays as it is in long mode too.
        loadCodeSegment(SegmentCache.ofDescriptor(selector & 0xfffc, code));
        port.write(UC_X86_REG_RIP, offset);
    }

    /** @return the gate's 8-byte words, after checking the IDT's limit */
    private long[] gate(int vector, int size) throws DeliveryFault {
        DescriptorTable idt = port.readTable(UC_X86_REG_IDTR);
        long offset = (long) vector * size;
        if (offset + size - 1 > idt.limit()) {
            throw gateFault(vector, String.format(Locale.ROOT, "its IDT entry at 0x%x is beyond the IDT's limit"
                    + " 0x%x", idt.base() + offset, idt.limit()));
        }
        ByteBuffer bytes = ByteBuffer.wrap(readOrFault(idt.base() + offset, size, "IDT entry"))
                .order(ByteOrder.LITTLE_ENDIAN);
        long[] words = new long[size / 8];
        for (int i = 0; i < words.length; i++) {
            words[i] = bytes.getLong();
        }
        return words;
    }

    private static DeliveryFault gateFault(int vector, String reason) {
        return new DeliveryFault(GENERAL_PROTECTION, vector * 8 + IDT_ERROR, reason);
    }

    private static void requirePresent(int vector, long gate) throws DeliveryFault {
        if (!bit(gate, 47)) {
            throw new DeliveryFault(SEGMENT_NOT_PRESENT, vector * 8 + IDT_ERROR, "its IDT gate is not present");
        }
    }

    /** @return the handler's code segment descriptor: a present code segment of ring 0, from the GDT */
    private long ringZeroCode(int selector) throws DeliveryFault, Unsupported {
        int error = selector & 0xfffc;
        if ((selector & 4) != 0) {
            throw new Unsupported(String.format(Locale.ROOT, "its gate's selector 0x%04x is in the LDT, which the"
                    + " emulator does not read", selector));
        }
        DescriptorTable gdt = port.readTable(UC_X86_REG_GDTR);
        if (error == 0 || error + 7 > gdt.limit()) {
            throw new DeliveryFault(GENERAL_PROTECTION, error, String.format(Locale.ROOT,
                    "its gate's selector 0x%04x is %s", selector, error == 0 ? "null" : "beyond the GDT's limit"));
        }
        long descriptor = ByteBuffer.wrap(readOrFault(gdt.base() + error, 8, "GDT entry"))
                .order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (!bit(descriptor, 44) || !bit(descriptor, 43)) {
            throw new DeliveryFault(GENERAL_PROTECTION, error, String.format(Locale.ROOT,
                    "its gate's selector 0x%04x is not a code segment", selector));
        }
        if (!bit(descriptor, 47)) {
            throw new DeliveryFault(SEGMENT_NOT_PRESENT, error, String.format(Locale.ROOT,
                    "its gate's code segment 0x%04x is not present", selector));
        }
        int cpl = (int) port.read(UC_X86_REG_CS) & 3;
        int dpl = (int) (descriptor >>> 45 & 3);
        if (cpl != 0 || dpl != 0) {
            throw new Unsupported(String.format(Locale.ROOT, "delivery from ring %d to a handler in ring %d: the"
                    + " emulator delivers in ring 0 only (a privilege change needs the TSS's stacks)", cpl, dpl));
        }
        return descriptor;
    }

    /**
     * Loads CS as the CPU does when it enters the handler, with the code width that follows from
     * it. The state is loaded again first: the stack pointer and EFLAGS (already the handler's)
     * were written through the register API since.
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

    /** @return the stack segment's base, as the CPU holds it */
    private long stackBase() {
        return state.segment(X86Segment.SS).base();
    }

    /** Moves EIP back onto the {@code INT n} (2 bytes), {@code INT3} or {@code INTO} (1 byte) just run. */
    private void rewindSoftwareInterrupt(int vector) {
        state.load();
        // Compatibility mode, like protected mode, adds the code segment's base; 64-bit code does not.
        boolean sixtyFourBit = X86Flags.codeWidth(state.hflags()) == EngineKind.SIXTY_FOUR_BIT;
        int ipRegister = sixtyFourBit ? UC_X86_REG_RIP : UC_X86_REG_EIP;
        long ip = port.read(ipRegister);
        long codeBase = sixtyFourBit ? 0 : state.segment(X86Segment.CS).base();
        byte[] before = ram.readOrNull(codeBase + ip - 2, 2);
        boolean intN = before != null && (before[0] & 0xff) == 0xcd && (before[1] & 0xff) == vector;
        port.write(ipRegister, ip - (intN ? 2 : 1));
    }

    private byte[] readOrFault(long address, int length, String what) throws DeliveryFault {
        byte[] bytes = ram.readOrNull(address, length);
        if (bytes == null) {
            throw new DeliveryFault(GENERAL_PROTECTION, 0, String.format(Locale.ROOT,
                    "its %s at 0x%x is outside RAM", what, address));
        }
        return bytes;
    }

    private void writeOrFault(long address, byte[] frame, int vector) throws DeliveryFault {
        if (!ram.writeIfRam(address, frame)) {
            throw new DeliveryFault(vector, 0, String.format(Locale.ROOT,
                    "its %d-byte stack frame at 0x%x is outside RAM", frame.length, address));
        }
    }

    private static ByteBuffer frame(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static boolean bit(long value, int index) {
        return (value >>> index & 1) != 0;
    }
}
