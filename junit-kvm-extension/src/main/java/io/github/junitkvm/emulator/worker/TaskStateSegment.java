package io.github.junitkvm.emulator.worker;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The stacks of the TSS that TR holds, as the CPU reads them when a delivery changes privilege or
 * names an IST stack: SS:ESP of a ring in a 32-bit TSS (SS:SP in a 16-bit one), RSP of a ring or
 * an IST pointer in a 64-bit one. An entry beyond the TSS's limit is #TS with TR's selector.
 */
final class TaskStateSegment {
    /** Type bit 3 of a TSS descriptor: a 32- (or 64-) bit TSS, not a 16-bit one. */
    private static final int WIDE = 8;
    private static final int RSP0 = 4;
    private static final int IST1 = 0x24;

    private final CpuState state;
    private final LinearMemory memory;

    /**
     * @param state the engine's TR
     * @param memory the guest's memory at linear addresses
     */
    TaskStateSegment(CpuState state, LinearMemory memory) {
        this.state = state;
        this.memory = memory;
    }

    /**
     * A stack of a protected-mode TSS.
     *
     * @param selector the stack segment's selector
     * @param pointer ESP (SP from a 16-bit TSS)
     */
    record Stack(int selector, long pointer) {
    }

    /**
     * @param ring the new privilege level, 0 to 2
     * @param ext the error code's EXT bit
     * @return SS:ESP for that ring, from a 32-bit TSS, or SS:SP from a 16-bit one
     * @throws DeliveryFault #TS if the TSS is too short, or a page fault reading it
     * @throws UndeliverableEvent if a page-table entry on the way is outside RAM
     */
    Stack protectedModeStack(int ring, int ext) throws DeliveryFault, UndeliverableEvent {
        SegmentCache tr = state.systemSegment(CpuState.SystemSegment.TR);
        boolean wide = (tr.type() & WIDE) != 0;
        int offset = wide ? (ring << 3) + 4 : (ring << 2) + 2;
        int size = wide ? 6 : 4;
        ByteBuffer entry = ByteBuffer.wrap(memory.read(tr.base() + within(tr, offset, size, ext), size, "TSS"))
                .order(ByteOrder.LITTLE_ENDIAN);
        long pointer = wide ? entry.getInt() & 0xffff_ffffL : entry.getShort() & 0xffff;
        return new Stack(entry.getShort() & 0xffff, pointer);
    }

    /**
     * @param ring the new privilege level, 0 to 2, when {@code ist} is 0
     * @param ist the gate's IST index, 1 to 7, or 0 for none
     * @param ext the error code's EXT bit
     * @return RSP for the ring, or the IST pointer, from the 64-bit TSS
     * @throws DeliveryFault #TS if the TSS is too short, or a page fault reading it
     * @throws UndeliverableEvent if a page-table entry on the way is outside RAM
     */
    long longModeStack(int ring, int ist, int ext) throws DeliveryFault, UndeliverableEvent {
        SegmentCache tr = state.systemSegment(CpuState.SystemSegment.TR);
        int offset = ist == 0 ? RSP0 + (ring << 3) : IST1 + (ist - 1 << 3);
        return memory.readLong(tr.base() + within(tr, offset, Long.BYTES, ext), "TSS");
    }

    private static int within(SegmentCache tr, int offset, int size, int ext) throws DeliveryFault {
        if (!tr.present() || offset + size - 1 > (tr.limit() & 0xffff_ffffL)) {
            throw new DeliveryFault(CpuExceptions.INVALID_TSS, (tr.selector() & 0xfffc) | ext, String.format(Locale.ROOT,
                    "its stack at offset 0x%x of the TSS (TR 0x%04x) is beyond the TSS's limit 0x%x", offset,
                    tr.selector(), tr.limit()));
        }
        return offset;
    }
}
