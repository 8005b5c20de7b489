package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.List;
import java.util.Locale;

/**
 * Puts a fresh vCPU into the CPU mode a guest starts in: writes the mode's {@link SystemTables} at
 * its {@link SystemArea} and sets the system registers, as a boot loader would have left them.
 *
 * <p>Where the tables go: the highest 4 KiB-aligned block of writable guest RAM below 4 GiB that
 * does not overlap the loaded code, the GDT in its first page and the page tables after it (with
 * the default 2 MiB of RAM: {@code 0x1ff000} for {@code PROTECTED}, {@code 0x1fa000} for
 * {@code PAGED}, {@code 0x1f9000} for {@code LONG}). The default stack starts just below them when
 * they share its region (see {@code GuestSpecReader#defaultStack}).
 *
 * <ul>
 *   <li>{@code REAL}: every segment base 0, nothing in memory.
 *   <li>{@code PROTECTED}: CR0.PE; CS = 0x08 (32-bit code), the other segments 0x10 (data), all
 *       flat (base 0, limit 4 GiB); GDTR on the GDT at the area's base.
 *   <li>{@code PAGED}: as {@code PROTECTED}, plus CR4.PAE, CR3 = area + 0x1000 (a PAE PDPT, then
 *       four page directories of 2 MiB pages identity-mapping all 4 GiB) and CR0.PG.
 *   <li>{@code LONG}: CS = 0x18 (64-bit code), data 0x10; CR4.PAE, EFER.LME and LMA, CR3 = area
 *       + 0x1000 (PML4, then a PDPT, then page directories of 2 MiB pages identity-mapping at
 *       least the first 4 GiB), CR0.PG and PE.
 * </ul>
 *
 * <p>The IDT of the 32- and 64-bit modes is empty (limit 0) without firmware: the guest has no
 * handlers, so an exception ends in a shutdown rather than in a jump through whatever memory holds.
 * With firmware it is the firmware ROM's, whose gates lead to its entry points.
 */
final class CpuModeSetup {
    static final long CR0_PE = 1L;
    static final long CR0_PG = 1L << 31;
    private static final long CR0_NW = 1L << 29;
    private static final long CR0_CD = 1L << 30;
    static final long CR4_PAE = 1L << 5;
    static final long EFER_LME = 1L << 8;
    static final long EFER_LMA = 1L << 10;
    private static final int CODE_EXECUTE_READ_ACCESSED = 0xb;
    private static final int DATA_READ_WRITE_ACCESSED = 0x3;
    private static final int FLAT_LIMIT = 0xffffffff;
    /** The IDT of a guest without firmware: empty, so that any interrupt shuts the guest down. */
    static final DescriptorTable NO_IDT = new DescriptorTable(0, 0);

    private CpuModeSetup() {
    }

    /**
     * @param machine a machine whose vCPU has its reset state
     * @param mode the mode to start in
     * @param ram the guest's RAM regions
     * @param area where the mode's tables go ({@link SystemArea#find}); ignored for {@code REAL}
     * @param idt the IDT the guest starts with; ignored for {@code REAL}
     */
    static void apply(VirtualMachine machine, CpuMode mode, List<RamRegion> ram, long area, DescriptorTable idt) {
        SpecialRegisters reset = machine.specialRegisters();
        if (mode == CpuMode.REAL) {
            machine.setSpecialRegisters(realMode(reset));
            return;
        }
        machine.writeMemory(area, SystemTables.build(mode, area, ram));
        SpecialRegisters wanted = flatMode(reset, mode, area, idt);
        machine.setSpecialRegisters(wanted);
        requireKept(mode, wanted, machine.specialRegisters());
    }

    /**
     * Some hosts drop mode bits without an error: PVM ({@code kvm_pvm}) keeps CR0.PG only in long
     * mode, and the guest then shuts down at its first instruction. Failing here says why.
     */
    private static void requireKept(CpuMode mode, SpecialRegisters wanted, SpecialRegisters actual) {
        long cr0Bits = CR0_PE | CR0_PG;
        if ((actual.cr0() & cr0Bits) != (wanted.cr0() & cr0Bits)
                || (actual.efer() & EFER_LMA) != (wanted.efer() & EFER_LMA)) {
            throw new HypervisorException(String.format(Locale.ROOT, "this backend cannot start a guest in %s mode:"
                    + " it was given CR0 = 0x%x, EFER = 0x%x and kept CR0 = 0x%x, EFER = 0x%x", mode, wanted.cr0(),
                    wanted.efer(), actual.cr0(), actual.efer()));
        }
    }

    /**
     * Real mode as in the classic {@code /dev/kvm} sample, but with every segment at base 0, not
     * only CS: the reset state's CS (base 0xffff0000) would run the BIOS reset vector instead.
     */
    private static SpecialRegisters realMode(SpecialRegisters reset) {
        Segment code = Segment.realMode(0, CODE_EXECUTE_READ_ACCESSED);
        Segment data = Segment.realMode(0, DATA_READ_WRITE_ACCESSED);
        return reset.withCs(code).withDs(data).withEs(data).withFs(data).withGs(data).withSs(data);
    }

    /** The segments repeat the GDT's descriptors, since setting registers does not read the table. */
    private static SpecialRegisters flatMode(SpecialRegisters reset, CpuMode mode, long area, DescriptorTable idt) {
        boolean longMode = mode == CpuMode.LONG;
        Segment code = longMode
                ? flatSegment(SystemTables.CODE64_SELECTOR, CODE_EXECUTE_READ_ACCESSED, false, true)
                : flatSegment(SystemTables.CODE32_SELECTOR, CODE_EXECUTE_READ_ACCESSED, true, false);
        Segment data = flatSegment(SystemTables.DATA_SELECTOR, DATA_READ_WRITE_ACCESSED, true, false);
        // Caching stays on, as any OS sets it; the reset value has CD and NW.
        long cr0 = reset.cr0() & ~(CR0_CD | CR0_NW) | CR0_PE;
        long cr3 = reset.cr3();
        long cr4 = reset.cr4();
        long efer = reset.efer();
        if (mode == CpuMode.PAGED) {
            cr0 |= CR0_PG;
            cr3 = area + SystemTables.TABLES_OFFSET;
            cr4 |= CR4_PAE;
        } else if (longMode) {
            cr0 |= CR0_PG;
            cr3 = area + SystemTables.TABLES_OFFSET;
            cr4 |= CR4_PAE;
            efer |= EFER_LME | EFER_LMA;
        }
        return reset.withCs(code).withDs(data).withEs(data).withFs(data).withGs(data).withSs(data)
                .withGdt(new DescriptorTable(area, SystemTables.GDT_SIZE - 1))
                .withIdt(idt)
                .withCr0(cr0).withCr3(cr3).withCr4(cr4).withEfer(efer);
    }

    private static Segment flatSegment(int selector, int type, boolean db, boolean longCode) {
        return new Segment(selector, 0, FLAT_LIMIT, type, true, 0, db, true, longCode, true, false, false);
    }
}
