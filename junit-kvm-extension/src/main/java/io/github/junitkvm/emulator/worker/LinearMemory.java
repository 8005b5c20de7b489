package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR3;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Guest memory at linear addresses, as the CPU reaches the IDT, GDT, LDT, TSS and stack while it
 * delivers an interrupt: through the guest's own page tables when CR0.PG is set (32-bit, PAE or
 * 4-level, with 4 MiB, 2 MiB and 1 GiB pages), with the CPU's checks. A page the tables do not map,
 * or map without the access's rights, is a page fault with the error code the CPU computes (P,
 * W/R, U/S), and the walk sets the accessed and dirty bits as the CPU does. Accesses that cross a
 * page are split, each page translated on its own. Physical addresses outside RAM are MMIO, as
 * {@link InterruptDelivery.Ram} serves them.
 */
final class LinearMemory {
    private static final long PAGE = 0x1000;
    private static final long PRESENT = 1;
    private static final long WRITABLE = 1 << 1;
    private static final long USER = 1 << 2;
    private static final long ACCESSED = 1 << 5;
    private static final long DIRTY = 1 << 6;
    private static final long LARGE = 1 << 7;
    private static final int FAULT_PRESENT = 1;
    private static final int FAULT_WRITE = 2;
    private static final int FAULT_USER = 4;
    private static final long CR0_WP = 1 << 16;
    private static final long CR4_PSE = 1 << 4;
    private static final long CR4_PAE = 1 << 5;
    private static final long CR4_SMAP = 1 << 21;
    /** Bits 12 to 51 of a 64-bit entry: the next table's or the page's frame. */
    private static final long FRAME_64 = 0x000f_ffff_ffff_f000L;

    private final RegisterPort port;
    private final CpuState state;
    private final InterruptDelivery.Ram ram;

    /**
     * @param port the engine's registers (CR0, CR3, CR4)
     * @param state the engine's EFER
     * @param ram the engine's RAM, at physical addresses
     */
    LinearMemory(RegisterPort port, CpuState state, InterruptDelivery.Ram ram) {
        this.port = port;
        this.state = state;
        this.ram = ram;
    }

    /**
     * @param linear where
     * @param length how many bytes
     * @param what the structure read, for messages (such as {@code IDT entry})
     * @return the bytes, read with supervisor rights, as the CPU reads its tables
     * @throws DeliveryFault a page fault
     * @throws UndeliverableEvent if the bytes, or a page-table entry, are neither RAM nor MMIO
     */
    byte[] read(long linear, int length, String what) throws DeliveryFault, UndeliverableEvent {
        byte[] bytes = new byte[length];
        int done = 0;
        while (done < length) {
            long address = linear + done;
            int piece = (int) Math.min(length - done, PAGE - (address & PAGE - 1));
            long physical = translate(address, false, false);
            byte[] part = ram.readOrNull(physical, piece);
            if (part == null) {
                throw beyond(what, address, physical);
            }
            System.arraycopy(part, 0, bytes, done, piece);
            done += piece;
        }
        return bytes;
    }

    /**
     * @param linear where
     * @param length how many bytes
     * @return the bytes, or null if they cannot be read (a page fault, or not RAM)
     */
    byte[] readOrNull(long linear, int length) {
        try {
            return read(linear, length, "code");
        } catch (DeliveryFault | UndeliverableEvent e) {
            return null;
        }
    }

    /**
     * Reads a little-endian quadword.
     *
     * @param linear where
     * @param what the structure read, for messages
     * @return the 8 bytes there
     * @throws DeliveryFault as {@link #read}
     * @throws UndeliverableEvent as {@link #read}
     */
    long readLong(long linear, String what) throws DeliveryFault, UndeliverableEvent {
        return ByteBuffer.wrap(read(linear, 8, what)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /**
     * @param linear where
     * @param data the bytes
     * @param user whether the access has user rights (a stack of ring 3), else supervisor ones
     * @param what the structure written, for messages (such as {@code stack frame})
     * @throws DeliveryFault a page fault
     * @throws UndeliverableEvent if the bytes, or a page-table entry, are neither RAM nor MMIO
     */
    void write(long linear, byte[] data, boolean user, String what) throws DeliveryFault, UndeliverableEvent {
        int done = 0;
        while (done < data.length) {
            long address = linear + done;
            int piece = (int) Math.min(data.length - done, PAGE - (address & PAGE - 1));
            long physical = translate(address, true, user);
            byte[] part = new byte[piece];
            System.arraycopy(data, done, part, 0, piece);
            if (!ram.write(physical, part)) {
                throw beyond(what, address, physical);
            }
            done += piece;
        }
    }

    private static UndeliverableEvent beyond(String what, long linear, long physical) {
        return new UndeliverableEvent(String.format(Locale.ROOT, "its %s at linear 0x%x, physical 0x%x, is neither"
                + " RAM nor MMIO, which ends at 4 GiB", what, linear, physical));
    }

    /**
     * @param linear a linear address
     * @param write whether the access writes
     * @param user whether it has user rights
     * @return the physical address the CPU reaches
     */
    private long translate(long linear, boolean write, boolean user) throws DeliveryFault, UndeliverableEvent {
        long cr0 = port.read(UC_X86_REG_CR0);
        if ((cr0 & X86Flags.CR0_PG) == 0) {
            return linear & 0xffff_ffffL;
        }
        long cr3 = port.read(UC_X86_REG_CR3);
        long cr4 = port.read(UC_X86_REG_CR4);
        Walk walk = new Walk(linear, write, user);
        if ((state.efer() & X86Flags.EFER_LMA) != 0) {
            long entry = walk.step(cr3 & FRAME_64, linear >>> 39 & 0x1ff, 8, true);
            entry = walk.step(entry & FRAME_64, linear >>> 30 & 0x1ff, 8, true);
            if ((entry & LARGE) != 0) {
                return walk.page(entry & FRAME_64 & ~0x3fff_ffffL, linear & 0x3fff_ffffL, cr0, cr4);
            }
            return walk.pae(entry, cr0, cr4);
        }
        if ((cr4 & CR4_PAE) != 0) {
            long pdpte = walk.step(cr3 & 0xffff_ffe0L, linear >>> 30 & 3, 8, false);
            return walk.pae(pdpte, cr0, cr4);
        }
        long pde = walk.step(cr3 & 0xffff_f000L, linear >>> 22 & 0x3ff, 4, true);
        if ((pde & LARGE) != 0 && (cr4 & CR4_PSE) != 0) {
            long frame = pde & 0xffc0_0000L | (pde >>> 13 & 0xff) << 32;
            return walk.page(frame, linear & 0x3f_ffffL, cr0, cr4);
        }
        long pte = walk.step(pde & 0xffff_f000L, linear >>> 12 & 0x3ff, 4, true);
        return walk.page(pte & 0xffff_f000L, linear & 0xfff, cr0, cr4);
    }

    /** One translation: the entries it went through, and the rights they give together. */
    private final class Walk {
        private final long linear;
        private final boolean write;
        private final boolean user;
        private final long[] entries = new long[5];
        private final long[] values = new long[5];
        private final int[] sizes = new int[5];
        private int depth;
        private boolean writable = true;
        private boolean userPage = true;

        Walk(long linear, boolean write, boolean user) {
            this.linear = linear;
            this.write = write;
            this.user = user;
        }

        /** The page directory and page table of PAE paging, below a PDPT entry. */
        long pae(long pdpte, long cr0, long cr4) throws DeliveryFault, UndeliverableEvent {
            long pde = step(pdpte & FRAME_64, linear >>> 21 & 0x1ff, 8, true);
            if ((pde & LARGE) != 0) {
                return page(pde & FRAME_64 & ~0x1f_ffffL, linear & 0x1f_ffffL, cr0, cr4);
            }
            long pte = step(pde & FRAME_64, linear >>> 12 & 0x1ff, 8, true);
            return page(pte & FRAME_64, linear & 0xfff, cr0, cr4);
        }

        /**
         * @param table the table's physical address
         * @param index the entry's index
         * @param size 4 or 8 bytes
         * @param rights whether the entry has R/W, U/S and A bits (PAE's PDPT entries have not)
         * @return the entry, present
         */
        long step(long table, long index, int size, boolean rights) throws DeliveryFault, UndeliverableEvent {
            long address = table + index * size;
            byte[] bytes = ram.readOrNull(address, size);
            if (bytes == null) {
                throw beyond("page-table entry for linear 0x" + Long.toHexString(linear), linear, address);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long entry = size == 8 ? buffer.getLong() : buffer.getInt() & 0xffff_ffffL;
            if ((entry & PRESENT) == 0) {
                throw fault(0, "is not present in the guest's page tables");
            }
            if (rights) {
                writable &= (entry & WRITABLE) != 0;
                userPage &= (entry & USER) != 0;
                entries[depth] = address;
                values[depth] = entry;
                sizes[depth++] = size;
            }
            return entry;
        }

        /** Checks the rights, sets the accessed and dirty bits, and returns the physical address. */
        long page(long frame, long offset, long cr0, long cr4) throws DeliveryFault, UndeliverableEvent {
            if (user && !userPage) {
                throw fault(FAULT_PRESENT, "is a supervisor page, and the access is ring 3's");
            }
            if (write && !writable && (user || (cr0 & CR0_WP) != 0)) {
                throw fault(FAULT_PRESENT, "is a read-only page");
            }
            if (!user && userPage && (cr4 & CR4_SMAP) != 0) {
                throw fault(FAULT_PRESENT, "is a user page, which SMAP keeps from the CPU's own accesses");
            }
            for (int i = 0; i < depth; i++) {
                mark(entries[i], values[i], sizes[i], ACCESSED | (write && i == depth - 1 ? DIRTY : 0));
            }
            return frame + offset;
        }

        private void mark(long address, long entry, int size, long bits) {
            if ((entry & bits) != bits) {
                ByteBuffer updated = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
                if (size == 8) {
                    updated.putLong(entry | bits);
                } else {
                    updated.putInt((int) (entry | bits));
                }
                ram.write(address, updated.array());
            }
        }

        private DeliveryFault fault(int present, String why) {
            int code = present | (write ? FAULT_WRITE : 0) | (user ? FAULT_USER : 0);
            return DeliveryFault.pageFault(linear, code, String.format(Locale.ROOT, "linear 0x%x %s (#PF, error"
                    + " code 0x%x)", linear, why, code));
        }
    }
}
