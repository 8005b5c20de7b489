package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR2;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR3;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR4;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GDTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_IDTR;

import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.HypervisorException;
import java.util.Locale;

/**
 * The registers of a {@code UC_MODE_16} engine: 32-bit general registers, and segments whose base
 * Unicorn derives from the selector (× 16).
 */
final class RealModeRegisters extends ThirtyTwoBitRegisters {
    private static final int CODE_TYPE = 0xb;
    private static final int DATA_TYPE = 0x3;

    private final SystemRegisters system;

    RealModeRegisters(RegisterPort port) {
        super(port, "REAL-mode");
        this.system = new SystemRegisters(port);
    }

    /**
     * @return segments as real mode has them (base = selector × 16, limit 0xffff), GDTR, IDTR, CR0–CR4
     *     and EFER; TR and LDT at their reset values, CR8 and the APIC base 0 (Unicorn does not model
     *     them here)
     */
    @Override
    public SpecialRegisters specialRegisters() {
        Segment[] segments = new Segment[SEGMENTS.length];
        for (int i = 0; i < SEGMENTS.length; i++) {
            segments[i] = Segment.realMode((int) port.read(SEGMENTS[i]) & 0xffff, i == 0 ? CODE_TYPE : DATA_TYPE);
        }
        return system.assemble(segments);
    }

    /**
     * Writes the selectors (Unicorn derives real-mode bases from them), CR0–CR4, GDTR and IDTR. TR,
     * LDT, CR8 and the APIC base are not modelled and ignored.
     *
     * @param registers the new system registers
     * @throws HypervisorException if a segment base is not its selector × 16, or EFER would change
     */
    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        Segment[] segments = segmentsOf(registers);
        for (int i = 0; i < segments.length; i++) {
            Segment segment = segments[i];
            long base = (segment.selector() & 0xffffL) << 4;
            if (segment.base() != base) {
                throw new HypervisorException(String.format(Locale.ROOT,
                        "cannot set %s to selector 0x%04x with base 0x%x: the emulator's REAL-mode engine"
                                + " derives every segment base from its selector (base = selector * 16 = 0x%x)",
                        SEGMENT_NAMES[i], segment.selector(), segment.base(), base));
            }
        }
        requireEferUnchanged(registers.efer());
        for (int i = 0; i < segments.length; i++) {
            port.write(SEGMENTS[i], segments[i].selector() & 0xffff);
        }
        port.write(UC_X86_REG_CR0, registers.cr0());
        port.write(UC_X86_REG_CR2, registers.cr2());
        port.write(UC_X86_REG_CR3, registers.cr3());
        port.write(UC_X86_REG_CR4, registers.cr4());
        port.writeTable(UC_X86_REG_GDTR, registers.gdt());
        port.writeTable(UC_X86_REG_IDTR, registers.idt());
    }

    /**
     * CS × 16 + EIP, all 32 bits of it: Unicorn does not hold real-mode code to the 64 KiB of its
     * segment, so code that runs on past IP 0xffff has EIP above it, and fetches from there (a CPU
     * raises #GP instead). {@code uc_emu_start} sets only IP from this address, so a run that
     * starts with EIP above 0xffff starts at IP = EIP &amp; 0xffff.
     */
    @Override
    public long instructionAddress() {
        return ((port.read(UC_X86_REG_CS) & 0xffff) << 4) + (port.read(UC_X86_REG_EIP) & 0xffff_ffffL);
    }
}
