package io.github.junitkvm.firmware;

import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.SpecialRegisters;
import java.util.OptionalLong;

/**
 * Translates a linear address to the physical one the guest's CPU reaches, through the page tables
 * CR3 points at in the paging mode CR0, CR4 and EFER select: none, 32-bit (with 4 MiB pages under
 * CR4.PSE), PAE, or 4- and 5-level long mode (with 2 MiB and 1 GiB pages). The firmware needs it
 * because the interrupt frame it reads and changes is at a linear address, and a guest with page
 * tables of its own may map its stack anywhere.
 */
final class PageWalk {
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PSE = 1L << 4;
    private static final long CR4_PAE = 1L << 5;
    private static final long CR4_LA57 = 1L << 12;
    private static final long EFER_LMA = 1L << 10;
    private static final long PRESENT = 1;
    private static final long PAGE_SIZE_BIT = 1L << 7;
    /** Bits 51:12 of an 8-byte entry: the next table's or the page's address. */
    private static final long ADDRESS_BITS = 0x000f_ffff_ffff_f000L;
    private static final long LOW_4_GIB = 0xffff_ffffL;
    private static final int PAGE_SHIFT = 12;
    private static final int LONG_INDEX_BITS = 9;
    private static final int PAE_PDPT_SHIFT = 30;
    private static final long PAE_PDPT_ALIGNMENT = ~0x1fL;

    private PageWalk() {
    }

    /**
     * @param cpu the guest's system registers
     * @param memory the guest's physical memory, where the page tables are
     * @param linear a linear address
     * @return the physical address, or empty if the tables map no page there
     */
    static OptionalLong physical(SpecialRegisters cpu, GuestMemory memory, long linear) {
        boolean longMode = (cpu.efer() & EFER_LMA) != 0;
        if ((cpu.cr0() & CR0_PG) == 0) {
            return OptionalLong.of(longMode ? linear : linear & LOW_4_GIB);
        }
        if (longMode) {
            int levels = (cpu.cr4() & CR4_LA57) != 0 ? 5 : 4;
            return walk(memory, cpu.cr3() & ADDRESS_BITS, linear, PAGE_SHIFT + LONG_INDEX_BITS * (levels - 1), 8);
        }
        long address = linear & LOW_4_GIB;
        if ((cpu.cr4() & CR4_PAE) != 0) {
            long pdpte = memory.readLong((cpu.cr3() & LOW_4_GIB & PAE_PDPT_ALIGNMENT) + 8 * (address >>> PAE_PDPT_SHIFT));
            if ((pdpte & PRESENT) == 0) {
                return OptionalLong.empty();
            }
            return walk(memory, pdpte & ADDRESS_BITS, address, PAE_PDPT_SHIFT - LONG_INDEX_BITS, 8);
        }
        return walk(memory, cpu.cr3() & LOW_4_GIB & ~0xfffL, address, 22, 4, (cpu.cr4() & CR4_PSE) != 0);
    }

    private static OptionalLong walk(GuestMemory memory, long table, long linear, int topShift, int entrySize) {
        return walk(memory, table, linear, topShift, entrySize, true);
    }

    /**
     * Walks from the table whose entries each map {@code 1 << topShift} bytes down to a page.
     *
     * @param largePages whether an entry above the last level may map a page itself (PS): always
     *     in PAE and long mode below the top level, under CR4.PSE with 32-bit paging
     */
    private static OptionalLong walk(GuestMemory memory, long table, long linear, int topShift, int entrySize,
                                     boolean largePages) {
        int indexBits = entrySize == 8 ? LONG_INDEX_BITS : 10;
        long base = table;
        for (int shift = topShift; ; shift -= indexBits) {
            long index = (linear >>> shift) & ((1L << indexBits) - 1);
            long entry = entrySize == 8 ? memory.readLong(base + 8 * index)
                    : memory.readInt(base + 4 * index) & LOW_4_GIB;
            if ((entry & PRESENT) == 0) {
                return OptionalLong.empty();
            }
            long pageMask = (1L << shift) - 1;
            boolean large = shift > PAGE_SHIFT && largePages && isLargePageLevel(shift, entrySize)
                    && (entry & PAGE_SIZE_BIT) != 0;
            if (shift == PAGE_SHIFT || large) {
                return OptionalLong.of((entry & ADDRESS_BITS & ~pageMask) | (linear & pageMask));
            }
            base = entry & ADDRESS_BITS;
        }
    }

    /** Only page directories (2 MiB, 4 MiB pages) and long mode's PDPT (1 GiB pages) map pages. */
    private static boolean isLargePageLevel(int shift, int entrySize) {
        return entrySize == 4 ? shift == 22 : shift == 21 || shift == 30;
    }
}
