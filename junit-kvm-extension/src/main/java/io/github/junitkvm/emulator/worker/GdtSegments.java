package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GDTR;

import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.Segment;
import io.github.junitkvm.backend.HypervisorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The segment registers of the 32- and 64-bit engines. Unicorn keeps only the selector visible;
 * writing one makes it load the descriptor from the GDT in guest memory, as a {@code mov} to the
 * segment register would. So segments are read back by decoding the GDT entry of each selector,
 * and a segment can only be set to what its GDT entry says.
 */
final class GdtSegments {
    private static final int DESCRIPTOR_SIZE = 8;
    private static final int INDEX_MASK = ~0x7;

    private final RegisterPort port;
    private final Ram ram;
    private final String engineName;

    /** Reads guest RAM without touching MMIO. */
    interface Ram {
        /**
         * @param address guest physical address
         * @param length byte count
         * @return the bytes, or null if some are not RAM
         */
        byte[] readOrNull(long address, int length);
    }

    /**
     * @param port the engine's registers
     * @param ram the engine's RAM (the GDT is identity-mapped in every mode the extension sets up)
     * @param engineName names the engine in messages
     */
    GdtSegments(RegisterPort port, Ram ram, String engineName) {
        this.port = port;
        this.ram = ram;
        this.engineName = engineName;
    }

    /** @return CS, DS, ES, FS, GS, SS, each decoded from its GDT entry; unusable if it has none */
    Segment[] read() {
        DescriptorTable gdt = port.readTable(UC_X86_REG_GDTR);
        Segment[] segments = new Segment[ThirtyTwoBitRegisters.SEGMENTS.length];
        for (int i = 0; i < segments.length; i++) {
            int selector = (int) port.read(ThirtyTwoBitRegisters.SEGMENTS[i]) & 0xffff;
            Long descriptor = descriptor(gdt, selector);
            segments[i] = descriptor == null ? SegmentDescriptor.nullSegment(selector)
                    : SegmentDescriptor.decode(selector, descriptor);
        }
        return segments;
    }

    /**
     * Loads each segment by writing its selector, after checking that the GDT entry describes it.
     * GDTR must already hold the table.
     *
     * @param wanted CS, DS, ES, FS, GS, SS
     * @throws HypervisorException if a segment differs from its GDT entry
     */
    void load(Segment[] wanted) {
        DescriptorTable gdt = port.readTable(UC_X86_REG_GDTR);
        for (int i = 0; i < wanted.length; i++) {
            Segment segment = wanted[i];
            int selector = segment.selector() & 0xffff;
            if ((selector & INDEX_MASK) == 0) {
                continue;
            }
            Long descriptor = descriptor(gdt, selector);
            Segment loaded = descriptor == null ? null : SegmentDescriptor.decode(selector, descriptor);
            if (loaded == null || !loaded.equals(segment)) {
                throw new HypervisorException(String.format(Locale.ROOT,
                        "cannot set %s to [%s]: the emulator's %s engine loads segments from the GDT"
                                + " (%s), whose entry for selector 0x%04x is %s",
                        ThirtyTwoBitRegisters.SEGMENT_NAMES[i], segment, engineName, gdt, selector,
                        loaded == null ? "missing" : "[" + loaded + "]"));
            }
        }
        // CS last, as a boot loader's far jump comes after its data-segment loads.
        for (int i = wanted.length - 1; i >= 0; i--) {
            port.write(ThirtyTwoBitRegisters.SEGMENTS[i], wanted[i].selector() & 0xffff);
        }
    }

    /** @return the descriptor of a non-null selector inside the GDT's limit and in RAM, else null */
    private Long descriptor(DescriptorTable gdt, int selector) {
        int offset = selector & INDEX_MASK;
        if (offset == 0 || offset + DESCRIPTOR_SIZE - 1 > gdt.limit()) {
            return null;
        }
        byte[] bytes = ram.readOrNull(gdt.base() + offset, DESCRIPTOR_SIZE);
        return bytes == null ? null : ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** @return the linear base of the code segment, from its GDT entry (0 without one) */
    long codeBase() {
        return read()[0].base();
    }
}
