package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR2;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR3;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR4;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EFLAGS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GDTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_IDTR;
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
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import java.util.stream.IntStream;

/**
 * The registers of a {@code UC_MODE_64} engine in whatever mode its CPU is: all sixteen 64-bit
 * general registers (as KVM keeps them in every mode), and system registers with the segment
 * caches as the CPU holds them, so that the guest's own mode switches show as on KVM.
 */
final class CpuRegisters implements ModeRegisters {
    /** In {@link GeneralRegisters#toArray()} order: RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP, R8–R15. */
    private static final int[] GENERAL = {
        UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI, UC_X86_REG_RDI,
        UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11,
        UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
    };
    /** {@link #GENERAL}, then RIP and RFLAGS: {@link GeneralRegisters#toArray()}'s order. */
    private static final int[] ALL = IntStream.concat(IntStream.of(GENERAL),
            IntStream.of(UC_X86_REG_RIP, UC_X86_REG_EFLAGS)).toArray();

    private final RegisterPort port;
    private final CpuState state;
    /**
     * Whether this libunicorn leaves the linear address of the instruction (CS base + IP) in RIP
     * inside {@code IN} and {@code OUT} hooks, as Unicorn before 2.0.2 does
     * (unicorn-engine/unicorn#1770): KVM shows the instruction pointer there.
     */
    private final boolean linearIpInPortHooks;
    /** Whether an {@code IN} or {@code OUT} hook is in progress. */
    private boolean inPortHook;
    /** Whether the run was stopped inside a port hook, after which such a Unicorn leaves a linear RIP too. */
    private boolean stoppedInPortHook;

    CpuRegisters(RegisterPort port, CpuState state, boolean linearIpInPortHooks) {
        this.port = port;
        this.state = state;
        this.linearIpInPortHooks = linearIpInPortHooks;
    }

    /** @param inside whether an {@code IN} or {@code OUT} hook begins (true) or ends (false) */
    void portHook(boolean inside) {
        inPortHook = inside;
    }

    /** The run in progress is being stopped inside an {@code IN} or {@code OUT} hook. */
    void stoppingInPortHook() {
        stoppedInPortHook = inPortHook;
    }

    /**
     * After {@code uc_emu_start} returned: where a stop inside a port hook left the linear address
     * of the next instruction in RIP, puts the instruction pointer there, as KVM has it.
     */
    void afterRun() {
        boolean hookStop = stoppedInPortHook;
        stoppedInPortHook = false;
        if (linearIpInPortHooks && hookStop && codeWidth() != EngineKind.SIXTY_FOUR_BIT) {
            long base = state.segment(X86Segment.CS).base();
            if (base != 0) {
                port.write(UC_X86_REG_RIP, port.read(UC_X86_REG_RIP) - base);
            }
        }
    }

    /** @return what Unicorn's RIP holds beyond the instruction pointer: the CS base, in a port hook of an old Unicorn */
    private long ripOffset() {
        if (!linearIpInPortHooks || !inPortHook || codeWidth() == EngineKind.SIXTY_FOUR_BIT) {
            return 0;
        }
        return state.segment(X86Segment.CS).base();
    }

    @Override
    public GeneralRegisters registers() {
        long[] values = port.readAll(ALL);
        values[GENERAL.length] -= ripOffset();
        return GeneralRegisters.fromArray(values);
    }

    @Override
    public void setRegisters(GeneralRegisters registers) {
        port.writeAll(GENERAL, registers.toArray());
        // Inside a hook, writing RIP makes Unicorn leave the block and go on at the new address, and
        // Unicorn 2.0 then forgets a stop the same exit asks for. Handlers cannot move RIP, so it is
        // written only when it changes, which is between runs.
        long offset = ripOffset();
        if (port.read(UC_X86_REG_RIP) - offset != registers.rip()) {
            port.write(UC_X86_REG_RIP, registers.rip() + offset);
        }
        port.write(UC_X86_REG_EFLAGS, registers.rflags());
        // RFLAGS.VM takes part in the mode flags.
        state.load();
        state.setHflags(X86Flags.derive(state.hflags(), port.read(UC_X86_REG_CR0), state.efer(), registers.rflags(),
                state));
        state.store();
    }

    /**
     * @return the segment caches as the CPU holds them (TR and LDTR as the guest's {@code ltr} and
     *     {@code lldt} loaded them), GDTR, IDTR, CR0–CR4 and EFER; CR8 and the APIC base 0 (Unicorn
     *     does not model them)
     */
    @Override
    public SpecialRegisters specialRegisters() {
        state.load();
        long cr0 = port.read(UC_X86_REG_CR0);
        boolean protectedMode = (cr0 & X86Flags.CR0_PE) != 0;
        Segment[] segments = new Segment[X86Segment.values().length];
        for (X86Segment segment : X86Segment.values()) {
            segments[segment.ordinal()] = state.segment(segment).toSegment(protectedMode);
        }
        return new SpecialRegisters(segments[0], segments[1], segments[2], segments[3], segments[4], segments[5],
                state.systemSegment(CpuState.SystemSegment.TR).busyTss().toSegment(protectedMode),
                state.systemSegment(CpuState.SystemSegment.LDT).toSegment(protectedMode), port.readTable(UC_X86_REG_GDTR), port.readTable(UC_X86_REG_IDTR), cr0,
                port.read(UC_X86_REG_CR2), port.read(UC_X86_REG_CR3), port.read(UC_X86_REG_CR4), 0, state.efer(), 0);
    }

    /**
     * Sets the segment caches, control registers and EFER as given, as {@code KVM_SET_SREGS} does,
     * and derives the CPU's mode from them. CR8 and the APIC base are not modelled and ignored.
     */
    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        port.writeTable(UC_X86_REG_GDTR, registers.gdt());
        port.writeTable(UC_X86_REG_IDTR, registers.idt());
        // Unicorn stores control registers as they are; the mode they select is derived below.
        port.write(UC_X86_REG_CR0, registers.cr0());
        port.write(UC_X86_REG_CR2, registers.cr2());
        port.write(UC_X86_REG_CR3, registers.cr3());
        port.write(UC_X86_REG_CR4, registers.cr4());
        state.load();
        Segment[] segments = {registers.cs(), registers.ds(), registers.es(), registers.fs(), registers.gs(),
            registers.ss()};
        for (X86Segment segment : X86Segment.values()) {
            state.setSegment(segment, SegmentCache.of(segments[segment.ordinal()]));
        }
        state.setSystemSegment(CpuState.SystemSegment.TR, SegmentCache.of(registers.tr()));
        state.setSystemSegment(CpuState.SystemSegment.LDT, SegmentCache.of(registers.ldt()));
        state.setEfer(registers.efer());
        state.setHflags(X86Flags.derive(state.hflags(), registers.cr0(), registers.efer(),
                port.read(UC_X86_REG_EFLAGS), state));
        state.store();
    }

    /** RIP: a {@code UC_MODE_64} engine's {@code uc_emu_start} takes the instruction pointer, not a linear address. */
    @Override
    public long startAddress() {
        return port.read(UC_X86_REG_RIP);
    }

    /** The code segment's base plus RIP, outside 64-bit code (where the base is 0) cut to 32 bits. */
    @Override
    public long instructionAddress() {
        state.load();
        long rip = port.read(UC_X86_REG_RIP);
        if (codeWidth() == EngineKind.SIXTY_FOUR_BIT) {
            return rip;
        }
        return state.segment(X86Segment.CS).base() + (rip & 0xffff_ffffL) & 0xffff_ffffL;
    }

    @Override
    public EngineKind codeWidth() {
        state.load();
        return X86Flags.codeWidth(state.hflags());
    }
}
