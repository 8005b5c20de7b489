package io.github.junitkvm;

import java.util.Locale;

/**
 * The system state of a vCPU: segment registers, descriptor tables, control registers and EFER,
 * mirroring {@code struct kvm_sregs} (without its interrupt bitmap). Change one with its
 * {@code withXxx} method.
 *
 * @param cs the code segment
 * @param ds the data segment
 * @param es the extra segment
 * @param fs the FS segment
 * @param gs the GS segment
 * @param ss the stack segment
 * @param tr the task register
 * @param ldt the local descriptor table register
 * @param gdt the GDTR
 * @param idt the IDTR
 * @param cr0 control register 0
 * @param cr2 control register 2 (last page-fault address)
 * @param cr3 control register 3 (page-table base)
 * @param cr4 control register 4
 * @param cr8 control register 8 (task priority)
 * @param efer the extended feature enable register (MSR 0xc0000080)
 * @param apicBase the APIC base MSR
 */
public record SpecialRegisters(
        Segment cs,
        Segment ds,
        Segment es,
        Segment fs,
        Segment gs,
        Segment ss,
        Segment tr,
        Segment ldt,
        DescriptorTable gdt,
        DescriptorTable idt,
        long cr0,
        long cr2,
        long cr3,
        long cr4,
        long cr8,
        long efer,
        long apicBase) {

    /** @param value the new cs @return a copy with cs replaced */
    public SpecialRegisters withCs(Segment value) {
        return new SpecialRegisters(value, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new ds @return a copy with ds replaced */
    public SpecialRegisters withDs(Segment value) {
        return new SpecialRegisters(cs, value, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new es @return a copy with es replaced */
    public SpecialRegisters withEs(Segment value) {
        return new SpecialRegisters(cs, ds, value, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new fs @return a copy with fs replaced */
    public SpecialRegisters withFs(Segment value) {
        return new SpecialRegisters(cs, ds, es, value, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new gs @return a copy with gs replaced */
    public SpecialRegisters withGs(Segment value) {
        return new SpecialRegisters(cs, ds, es, fs, value, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new ss @return a copy with ss replaced */
    public SpecialRegisters withSs(Segment value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, value, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new tr @return a copy with tr replaced */
    public SpecialRegisters withTr(Segment value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, value, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new ldt @return a copy with ldt replaced */
    public SpecialRegisters withLdt(Segment value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, value, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new gdt @return a copy with gdt replaced */
    public SpecialRegisters withGdt(DescriptorTable value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, value, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new idt @return a copy with idt replaced */
    public SpecialRegisters withIdt(DescriptorTable value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, gdt, value, cr0, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new cr0 @return a copy with cr0 replaced */
    public SpecialRegisters withCr0(long value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, value, cr2, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new cr2 @return a copy with cr2 replaced */
    public SpecialRegisters withCr2(long value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, value, cr3, cr4, cr8, efer, apicBase);
    }

    /** @param value the new cr3 @return a copy with cr3 replaced */
    public SpecialRegisters withCr3(long value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, value, cr4, cr8, efer, apicBase);
    }

    /** @param value the new cr4 @return a copy with cr4 replaced */
    public SpecialRegisters withCr4(long value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, value, cr8, efer, apicBase);
    }

    /** @param value the new cr8 @return a copy with cr8 replaced */
    public SpecialRegisters withCr8(long value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, value, efer, apicBase);
    }

    /** @param value the new efer @return a copy with efer replaced */
    public SpecialRegisters withEfer(long value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, value, apicBase);
    }

    /** @param value the new apicBase @return a copy with apicBase replaced */
    public SpecialRegisters withApicBase(long value) {
        return new SpecialRegisters(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, value);
    }

    /** @return control registers, EFER, segments and descriptor tables, one group a line */
    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "cr0=0x%x cr2=0x%x cr3=0x%x cr4=0x%x efer=0x%x%n"
                        + "cs: %s%nds: %s%nes: %s%nfs: %s%ngs: %s%nss: %s%ngdt: %s  idt: %s",
                cr0, cr2, cr3, cr4, efer, cs, ds, es, fs, gs, ss, gdt, idt);
    }
}
