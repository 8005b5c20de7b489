package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EFLAGS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_R10;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_R11;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_R12;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_R13;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_R14;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_R15;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_R8;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_R9;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RAX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RBP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RBX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RCX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RDI;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RDX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RSI;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RSP;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.SpecialRegisters;

/**
 * The registers of a {@code UC_MODE_64} engine, for {@code LONG} guests: all sixteen 64-bit general
 * registers, segments loaded from the GDT, EFER written through the MSR interface.
 */
final class LongModeRegisters implements ModeRegisters {
    /** In {@link GeneralRegisters#toArray()} order: RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP, R8–R15. */
    private static final int[] GENERAL = {
        UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI, UC_X86_REG_RDI,
        UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11,
        UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
    };

    private final RegisterPort port;
    private final SystemRegisters system;
    private final GdtSegments segments;

    LongModeRegisters(RegisterPort port, GdtSegments.Ram ram) {
        this.port = port;
        this.system = new SystemRegisters(port);
        this.segments = new GdtSegments(port, ram, "64-bit");
    }

    @Override
    public GeneralRegisters registers() {
        long[] values = new long[GENERAL.length + 2];
        for (int i = 0; i < GENERAL.length; i++) {
            values[i] = port.read(GENERAL[i]);
        }
        values[16] = port.read(UC_X86_REG_RIP);
        values[17] = port.read(UC_X86_REG_EFLAGS);
        return GeneralRegisters.fromArray(values);
    }

    @Override
    public void setRegisters(GeneralRegisters registers) {
        long[] values = registers.toArray();
        for (int i = 0; i < GENERAL.length; i++) {
            port.write(GENERAL[i], values[i]);
        }
        port.write(UC_X86_REG_RIP, registers.rip());
        port.write(UC_X86_REG_EFLAGS, registers.rflags());
    }

    @Override
    public SpecialRegisters specialRegisters() {
        return system.assemble(segments.read());
    }

    /**
     * Writes GDTR, IDTR, CR3, CR4, EFER and CR0, then the selectors, which load their GDT entries.
     * TR, LDT, CR8 and the APIC base are not modelled and ignored.
     *
     * @throws io.github.junitkvm.backend.HypervisorException if a segment is not what its GDT entry
     *     says
     */
    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        system.writeTablesAndControl(registers, true);
        segments.load(ThirtyTwoBitRegisters.segmentsOf(registers));
    }

    /** In 64-bit mode the CS base is ignored: the next instruction is at RIP. */
    @Override
    public long instructionAddress() {
        return port.read(UC_X86_REG_RIP);
    }
}
