package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.RamRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The GDT and page tables a CPU mode needs, as the bytes of a {@link SystemArea}: the GDT in the
 * area's first page, the page tables in the pages after it.
 *
 * <p>The GDT is flat and the same for every mode: a null descriptor, a 32-bit code segment
 * ({@link #CODE32_SELECTOR}), a data segment ({@link #DATA_SELECTOR}) and a 64-bit code segment
 * ({@link #CODE64_SELECTOR}), each base 0, limit 4 GiB, DPL 0, with the accessed bit already set so
 * that the CPU never writes to the table. {@code PAGED} uses PAE paging (CR4.PAE): a PDPT and four
 * page directories of 2 MiB pages mapping all 4 GiB, so that it shares the page-directory format of
 * {@code LONG} (and PAE works on any CPU that can run a 64-bit host). {@code LONG} has a PML4,
 * one PDPT and page directories of 2 MiB pages mapping {@link #longModeCoverage(List) the first
 * 4 GiB, or more to cover all RAM}. Every mapping is the identity, present, writable, supervisor.
 */
final class SystemTables {
    /** The 32-bit code segment's selector. */
    static final int CODE32_SELECTOR = 0x08;
    /** The data segment's selector, for DS, ES, FS, GS and SS in every mode. */
    static final int DATA_SELECTOR = 0x10;
    /** The 64-bit code segment's selector. */
    static final int CODE64_SELECTOR = 0x18;
    /** Four descriptors of 8 bytes. */
    static final int GDT_SIZE = 32;
    /** Where the first page table goes, relative to the area: the page after the GDT's. */
    static final long TABLES_OFFSET = 0x1000;

    static final long CODE32_DESCRIPTOR = 0x00cf9b000000ffffL;
    static final long DATA_DESCRIPTOR = 0x00cf93000000ffffL;
    static final long CODE64_DESCRIPTOR = 0x00af9b000000ffffL;

    private static final long PAGE = 0x1000;
    private static final long GIB = 1L << 30;
    private static final long FOUR_GIB = 4 * GIB;
    /** One PDPT maps 512 GiB; RAM beyond it is not mapped. */
    private static final int MAX_PAGE_DIRECTORIES = 512;
    private static final long PRESENT = 0x1;
    private static final long PRESENT_WRITABLE = 0x3;
    private static final long PAGE_SIZE_BIT = 0x80;
    private static final long TWO_MIB = 2L << 20;

    private SystemTables() {
    }

    /**
     * @param mode the CPU mode
     * @param ram the guest's RAM regions
     * @return the size of the area the mode needs, a multiple of 4096; 0 for {@code REAL}
     */
    static long size(CpuMode mode, List<RamRegion> ram) {
        return switch (mode) {
            case REAL -> 0;
            case PROTECTED -> PAGE;
            case PAGED -> (2 + FOUR_GIB / GIB) * PAGE;
            case LONG -> (3 + longModeCoverage(ram) / GIB) * PAGE;
        };
    }

    /**
     * @param ram the guest's RAM regions
     * @return how many bytes from address 0 the long-mode tables map: at least 4 GiB, so that MMIO
     *     below 4 GiB is reachable, more in whole GiB when RAM ends higher, at most 512 GiB
     */
    static long longModeCoverage(List<RamRegion> ram) {
        long end = ram.stream().mapToLong(RamRegion::end).max().orElse(0);
        long gib = Math.max(FOUR_GIB / GIB, (end + GIB - 1) / GIB);
        return Math.min(gib, MAX_PAGE_DIRECTORIES) * GIB;
    }

    /**
     * @param mode the CPU mode, not {@code REAL}
     * @param base the area's guest physical address, 4 KiB-aligned
     * @param ram the guest's RAM regions
     * @return the area's bytes, {@link #size(CpuMode, List)} long
     */
    static byte[] build(CpuMode mode, long base, List<RamRegion> ram) {
        byte[] bytes = new byte[(int) size(mode, ram)];
        ByteBuffer area = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        area.putLong(8, CODE32_DESCRIPTOR);
        area.putLong(16, DATA_DESCRIPTOR);
        area.putLong(24, CODE64_DESCRIPTOR);
        if (mode == CpuMode.PAGED) {
            // PAE's PDPT entries have no RW bit: it is reserved there, and setting it faults.
            putDirectories(area, base, TABLES_OFFSET, FOUR_GIB / GIB, PRESENT);
        } else if (mode == CpuMode.LONG) {
            long pdpt = base + TABLES_OFFSET + PAGE;
            area.putLong((int) TABLES_OFFSET, pdpt | PRESENT_WRITABLE);
            putDirectories(area, base, TABLES_OFFSET + PAGE, longModeCoverage(ram) / GIB, PRESENT_WRITABLE);
        }
        return bytes;
    }

    /**
     * Writes a PDPT at {@code pdptOffset} whose first {@code count} entries point to the page
     * directories in the pages after it, each mapping 1 GiB in 2 MiB pages.
     */
    private static void putDirectories(ByteBuffer area, long base, long pdptOffset, long count, long pdptFlags) {
        long directoriesOffset = pdptOffset + PAGE;
        for (int i = 0; i < count; i++) {
            long directory = directoriesOffset + i * PAGE;
            area.putLong((int) pdptOffset + 8 * i, (base + directory) | pdptFlags);
            for (int j = 0; j < 512; j++) {
                area.putLong((int) directory + 8 * j, (i * GIB + j * TWO_MIB) | PAGE_SIZE_BIT | PRESENT_WRITABLE);
            }
        }
    }
}
