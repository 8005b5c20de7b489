package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GDTR;

import io.github.junitkvm.DescriptorTable;
import java.util.Locale;

/**
 * Reads the segment descriptor a selector names, from the GDT or (table indicator set) the LDT
 * the CPU holds in LDTR, as the CPU does when it loads a segment during a delivery, and sets its
 * accessed bit as the CPU does.
 */
final class DescriptorReader {
    private static final int TABLE_INDICATOR = 4;
    /** The descriptor's type, from its accessed (or busy) bit up. */
    private static final int TYPE_BITS = 40;

    private final RegisterPort port;
    private final CpuState state;
    private final LinearMemory memory;

    /**
     * @param port the engine's registers (GDTR)
     * @param state the engine's LDTR
     * @param memory the guest's memory at linear addresses
     */
    DescriptorReader(RegisterPort port, CpuState state, LinearMemory memory) {
        this.port = port;
        this.state = state;
        this.memory = memory;
    }

    /**
     * @param selector the selector
     * @param faultVector the exception a null selector, or one beyond its table's limit, raises
     *     (#GP for a handler's code segment, #TS for a stack segment from the TSS)
     * @param ext the error code's EXT bit: 1 while delivering an event external to the program
     * @param what the segment, for messages (such as {@code its gate's selector})
     * @return the 8-byte descriptor
     * @throws DeliveryFault if the selector is null or beyond its table, or its bytes cannot be read
     * @throws UndeliverableEvent if a page-table entry on the way is outside RAM
     */
    long read(int selector, int faultVector, int ext, String what) throws DeliveryFault, UndeliverableEvent {
        int index = selector & 0xfff8;
        boolean local = (selector & TABLE_INDICATOR) != 0;
        if (!local && index == 0) {
            throw new DeliveryFault(faultVector, ext, String.format(Locale.ROOT, "%s 0x%04x is null", what, selector));
        }
        Table table = table(local);
        if (table == null || index + 7 > table.limit()) {
            throw new DeliveryFault(faultVector, (selector & 0xfffc) | ext, String.format(Locale.ROOT,
                    "%s 0x%04x is beyond the %s", what, selector, table == null ? "LDT: none is loaded"
                            : String.format(Locale.ROOT, "%s's limit 0x%x", local ? "LDT" : "GDT", table.limit())));
        }
        return memory.readLong(table.base() + index, local ? "LDT entry" : "GDT entry");
    }

    /**
     * Sets the accessed bit of a segment descriptor just loaded, or the busy bit of a TSS
     * descriptor, if it is not set yet, as the CPU does.
     *
     * @param selector the selector that named it
     * @param descriptor the descriptor as read
     * @param bits the type bits to set: 1 (accessed), 2 (busy)
     * @throws DeliveryFault if the table's page cannot be written
     * @throws UndeliverableEvent if a page-table entry on the way is outside RAM
     */
    void setTypeBits(int selector, long descriptor, int bits) throws DeliveryFault, UndeliverableEvent {
        if ((descriptor >>> TYPE_BITS & bits) == bits) {
            return;
        }
        long address = table((selector & TABLE_INDICATOR) != 0).base() + (selector & 0xfff8) + 5;
        byte type = (byte) (descriptor >>> TYPE_BITS | bits);
        memory.write(address, new byte[] {type}, false, "descriptor");
    }

    /** @return the table, or null for an LDT when LDTR holds none (a null selector leaves it not present) */
    private Table table(boolean local) {
        if (!local) {
            DescriptorTable gdt = port.readTable(UC_X86_REG_GDTR);
            return new Table(gdt.base(), gdt.limit());
        }
        SegmentCache ldt = state.systemSegment(CpuState.SystemSegment.LDT);
        return ldt.present() ? new Table(ldt.base(), ldt.limit() & 0xffff_ffffL) : null;
    }

    /** A descriptor table: the GDT's limit has 16 bits, the LDT's up to 32. */
    private record Table(long base, long limit) {
    }
}
