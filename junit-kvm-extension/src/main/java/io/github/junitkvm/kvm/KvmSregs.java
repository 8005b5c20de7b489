package io.github.junitkvm.kvm;

import com.sun.jna.Pointer;
import io.github.junitkvm.SpecialRegisters;

/**
 * The layout of {@code struct kvm_sregs} (x86): eight {@code kvm_segment}s (cs, ds, es, fs, gs, ss,
 * tr, ldt), two {@code kvm_dtable}s (gdt, idt), cr0, cr2, cr3, cr4, cr8, efer, apic_base, and the
 * pending-interrupt bitmap.
 */
final class KvmSregs {
    static final int SIZE = 312;
    static final int CS = 0;
    static final int DS = 24;
    static final int ES = 48;
    static final int FS = 72;
    static final int GS = 96;
    static final int SS = 120;
    static final int TR = 144;
    static final int LDT = 168;
    static final int GDT = 192;
    static final int IDT = 208;
    static final int CR0 = 224;
    static final int CR2 = 232;
    static final int CR3 = 240;
    static final int CR4 = 248;
    static final int CR8 = 256;
    static final int EFER = 264;
    static final int APIC_BASE = 272;
    static final int INTERRUPT_BITMAP = 280;

    private KvmSregs() {
    }

    /**
     * @param sregs a {@code struct kvm_sregs}
     * @return its values, without the interrupt bitmap
     */
    static SpecialRegisters read(Pointer sregs) {
        return new SpecialRegisters(
                KvmSegment.read(sregs, CS), KvmSegment.read(sregs, DS), KvmSegment.read(sregs, ES),
                KvmSegment.read(sregs, FS), KvmSegment.read(sregs, GS), KvmSegment.read(sregs, SS),
                KvmSegment.read(sregs, TR), KvmSegment.read(sregs, LDT),
                KvmDtable.read(sregs, GDT), KvmDtable.read(sregs, IDT),
                sregs.getLong(CR0), sregs.getLong(CR2), sregs.getLong(CR3), sregs.getLong(CR4),
                sregs.getLong(CR8), sregs.getLong(EFER), sregs.getLong(APIC_BASE));
    }

    /**
     * Writes every field but the interrupt bitmap, which the record does not model: the caller
     * decides what it holds.
     *
     * @param sregs a {@code struct kvm_sregs}
     * @param values the values
     */
    static void write(Pointer sregs, SpecialRegisters values) {
        KvmSegment.write(sregs, CS, values.cs());
        KvmSegment.write(sregs, DS, values.ds());
        KvmSegment.write(sregs, ES, values.es());
        KvmSegment.write(sregs, FS, values.fs());
        KvmSegment.write(sregs, GS, values.gs());
        KvmSegment.write(sregs, SS, values.ss());
        KvmSegment.write(sregs, TR, values.tr());
        KvmSegment.write(sregs, LDT, values.ldt());
        KvmDtable.write(sregs, GDT, values.gdt());
        KvmDtable.write(sregs, IDT, values.idt());
        sregs.setLong(CR0, values.cr0());
        sregs.setLong(CR2, values.cr2());
        sregs.setLong(CR3, values.cr3());
        sregs.setLong(CR4, values.cr4());
        sregs.setLong(CR8, values.cr8());
        sregs.setLong(EFER, values.efer());
        sregs.setLong(APIC_BASE, values.apicBase());
    }
}
