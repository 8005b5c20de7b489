package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR2;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR3;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR4;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GDTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_IDTR;

import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;

/** Descriptor-table and control registers of an engine, read and written in the order Unicorn needs. */
final class SystemRegisters {
    private final RegisterPort port;

    SystemRegisters(RegisterPort port) {
        this.port = port;
    }

    /**
     * @param segments CS, DS, ES, FS, GS, SS
     * @return with GDTR, IDTR, CR0–CR4 and EFER read from the engine; TR and LDT at their reset
     *     values, CR8 and the APIC base 0 (Unicorn does not model them)
     */
    SpecialRegisters assemble(Segment[] segments) {
        Segment tr = new Segment(0, 0, 0xffff, 0xb, true, 0, false, false, false, false, false, false);
        Segment ldt = new Segment(0, 0, 0xffff, 0x2, true, 0, false, false, false, false, false, false);
        return new SpecialRegisters(segments[0], segments[1], segments[2], segments[3], segments[4],
                segments[5], tr, ldt, port.readTable(UC_X86_REG_GDTR), port.readTable(UC_X86_REG_IDTR),
                port.read(UC_X86_REG_CR0), port.read(UC_X86_REG_CR2), port.read(UC_X86_REG_CR3),
                port.read(UC_X86_REG_CR4), 0, port.readEfer(), 0);
    }

    /**
     * Writes GDTR, IDTR, CR3, CR4, EFER (if asked), then CR0 and CR2: CR0 last, because setting PG
     * makes Unicorn enter paging (and long mode, with EFER.LME) with the tables and bits already
     * in place. Segment selectors come after this, so that they load descriptors from the new GDT.
     *
     * @param registers the new values
     * @param withEfer whether to write EFER too
     */
    void writeTablesAndControl(SpecialRegisters registers, boolean withEfer) {
        port.writeTable(UC_X86_REG_GDTR, registers.gdt());
        port.writeTable(UC_X86_REG_IDTR, registers.idt());
        port.write(UC_X86_REG_CR3, registers.cr3());
        port.write(UC_X86_REG_CR4, registers.cr4());
        if (withEfer) {
            port.writeEfer(registers.efer());
        }
        port.write(UC_X86_REG_CR0, registers.cr0());
        port.write(UC_X86_REG_CR2, registers.cr2());
    }
}
