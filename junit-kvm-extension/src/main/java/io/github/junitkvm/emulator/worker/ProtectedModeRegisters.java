package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EIP;

import io.github.junitkvm.SpecialRegisters;

/**
 * The registers of a {@code UC_MODE_32} engine, for {@code PROTECTED} and {@code PAGED} guests:
 * 32-bit general registers, segments loaded from the GDT, no long mode.
 */
final class ProtectedModeRegisters extends ThirtyTwoBitRegisters {
    private final SystemRegisters system;
    private final GdtSegments segments;

    ProtectedModeRegisters(RegisterPort port, GdtSegments.Ram ram) {
        super(port, "32-bit");
        this.system = new SystemRegisters(port);
        this.segments = new GdtSegments(port, ram, "32-bit");
    }

    @Override
    public SpecialRegisters specialRegisters() {
        return system.assemble(segments.read());
    }

    /**
     * Writes GDTR, IDTR and the control registers, then the selectors, which load their GDT entries.
     * TR, LDT, CR8 and the APIC base are not modelled and ignored.
     *
     * @throws io.github.junitkvm.backend.HypervisorException if EFER would change, or a segment is
     *     not what its GDT entry says
     */
    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        requireEferUnchanged(registers.efer());
        system.writeTablesAndControl(registers, false);
        segments.load(segmentsOf(registers));
    }

    @Override
    public long instructionAddress() {
        return segments.codeBase() + port.read(UC_X86_REG_EIP) & 0xffffffffL;
    }
}
