package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EFLAGS;

import io.github.junitkvm.backend.ExitListener;

/**
 * Takes the interrupts of the {@link InterruptLines} at an instruction boundary as a CPU does: an
 * NMI unless one is being served (QEMU's {@code HF2_NMI}, which the emulator's {@code IRET}
 * clears) or the instruction before set a shadow; then, with RFLAGS.IF set and no shadow
 * ({@code HF_INHIBIT_IRQ}, which QEMU sets after {@code STI}, {@code MOV SS} and {@code POP SS}),
 * the interrupt the {@code INTR} line requests, whose vector the acknowledge cycle asks the
 * parent's listener for. The engine delivers each through the guest's tables.
 */
final class ExternalInterrupts {
    private static final int NMI_VECTOR = 2;
    private static final long IF = 1 << 9;

    /** What an instruction boundary brought. */
    enum Boundary {
        /** Nothing waits to be delivered. */
        NONE,
        /** An interrupt was delivered, or its delivery ended the run; the next boundary may bring more. */
        DELIVERED,
        /** Something waits for the guest to be able to take it (IF, a shadow, an NMI's IRET). */
        WAITING
    }

    /** The engine's delivery through the guest's tables. */
    @FunctionalInterface
    interface Delivery {
        /**
         * @param vector the vector to deliver as an external event, without an error code
         * @param event the event in words
         */
        void deliver(int vector, String event);
    }

    private final RegisterPort port;
    private final CpuState cpu;
    private final InterruptLines lines;

    /**
     * @param port the engine's registers
     * @param cpu the engine's CPU state
     * @param lines the vCPU's interrupt inputs
     */
    ExternalInterrupts(RegisterPort port, CpuState cpu, InterruptLines lines) {
        this.port = port;
        this.cpu = cpu;
        this.lines = lines;
    }

    /**
     * At an instruction boundary, delivers the one event the CPU would take there.
     *
     * @param exits acknowledges an interrupt of the {@code INTR} line
     * @param delivery delivers the vector
     * @return what the boundary brought
     */
    Boundary atBoundary(ExitListener exits, Delivery delivery) {
        if (lines.quiet()) {
            return Boundary.NONE;
        }
        boolean requested = lines.requested();
        cpu.load();
        boolean shadow = (cpu.hflags() & X86Flags.HF_INHIBIT_IRQ) != 0;
        boolean nmiBlocked = (cpu.hflags2() & X86Flags.HF2_NMI) != 0;
        boolean nmiWaiting = lines.nmiWaiting(nmiBlocked);
        if (nmiWaiting && !nmiBlocked && !shadow) {
            lines.nmiDelivered();
            delivery.deliver(NMI_VECTOR, "an NMI");
            // Blocks further NMIs until the handler's IRET, which clears the flag as a CPU unblocks.
            cpu.load();
            cpu.setHflags2(cpu.hflags2() | X86Flags.HF2_NMI);
            cpu.store();
            return Boundary.DELIVERED;
        }
        if (requested && !shadow && (port.read(UC_X86_REG_EFLAGS) & IF) != 0) {
            int vector = exits.acknowledgeInterrupt();
            if (vector >= 0) {
                delivery.deliver(vector, String.format("external interrupt 0x%02x", vector));
                return Boundary.DELIVERED;
            }
            return lines.requested() || nmiWaiting ? Boundary.WAITING : Boundary.NONE;
        }
        return requested || nmiWaiting ? Boundary.WAITING : Boundary.NONE;
    }
}
