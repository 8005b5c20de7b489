package io.github.junitkvm.firmware;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.InterruptHandler;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Serves the traps of the firmware ROM's entry points ({@link FirmwareRom}): finds which vector an
 * {@code OUT} to the trap port came from, shows its service the caller's registers and flags, and
 * hands the flags the service left to the caller through the image {@code IRET} pops.
 */
public final class InterruptTraps {
    /** The FLAGS bits an {@code IRET} restores in real mode: CF, PF, AF, ZF, SF, TF, IF, DF, OF, IOPL, NT. */
    private static final long FLAGS_IMAGE_BITS = 0x7fd5;
    /**
     * The RFLAGS bits a handler may change through a 32- or 64-bit frame: those of real mode and RF,
     * AC and ID. Not VM, whose {@code IRETD} would enter virtual-8086 mode with another frame.
     */
    private static final long WIDE_FLAGS_IMAGE_BITS = FLAGS_IMAGE_BITS | 1L << 16 | 1L << 18 | 1L << 21;

    private final KvmVm vm;
    private final BooleanSupplier closed;
    private final FirmwareService[] services = new FirmwareService[FirmwareRom.VECTORS];

    /**
     * @param vm the VM whose guest calls the firmware, used as a handler uses it
     * @param closed whether the VM was closed (by a handler, say), which ends a call at once
     */
    public InterruptTraps(KvmVm vm, BooleanSupplier closed) {
        this.vm = vm;
        this.closed = closed;
    }

    /**
     * Serves a vector with a test's handler, which uses the VM itself; it replaces any service of
     * that vector.
     *
     * @param vector 0 to 255
     * @param handler the test's handler
     */
    public void onInterrupt(int vector, InterruptHandler handler) {
        Objects.requireNonNull(handler, "handler");
        serve(checkVector(vector), call -> {
            vm.setRegisters(call.registers());
            handler.serve(vector);
            if (!closed.getAsBoolean()) {
                call.setRegisters(vm.registers());
            }
            return Outcome.RETURNED;
        });
    }

    void serve(int vector, FirmwareService service) {
        services[vector] = service;
    }

    /**
     * Serves the guest's {@code OUT} to {@link FirmwareRom#TRAP_PORT} if it is a firmware entry
     * point's.
     *
     * @param record records the call's exit before it is served
     * @return whether the {@code OUT} was a call, now served; if not, it is an ordinary port write
     */
    public boolean serveTrap(Consumer<VmExit> record) {
        GeneralRegisters at = vm.registers();
        SpecialRegisters cpu = vm.specialRegisters();
        GuestMemory memory = vm.memory();
        OptionalLong out = PageWalk.physical(cpu, memory, cpu.cs().base() + at.rip());
        Optional<FirmwareRom.Entry> entry = out.isPresent() ? FirmwareRom.entryAt(out.getAsLong()) : Optional.empty();
        if (entry.isEmpty()) {
            return false;
        }
        int vector = entry.get().vector();
        EntryPoints table = entry.get().table();
        long flagsImage = frameSlot(cpu, memory, at.rsp(), table, table.flagsOffset(vector));
        long callerFlags = readSlot(memory, flagsImage, table.slot());
        long imageBits = table == EntryPoints.REAL ? FLAGS_IMAGE_BITS : WIDE_FLAGS_IMAGE_BITS;
        InterruptCall call = new InterruptCall(vector,
                at.withRflags(at.rflags() & ~imageBits | callerFlags & imageBits), cpu, memory);
        String detail = String.format("AH=0x%02x", call.ah());
        if (table.hasErrorCode(vector)) {
            detail += String.format(", error code 0x%x",
                    readSlot(memory, frameSlot(cpu, memory, at.rsp(), table, 0), table.slot()));
        }
        record.accept(VmExit.interrupt(vector).withDetail(detail));
        FirmwareService service = services[vector];
        Outcome outcome = service != null ? service.serve(call)
                : Outcome.pending(call.describe() + ": nothing serves vector 0x%02x (KvmVm.onInterrupt)".formatted(vector));
        if (closed.getAsBoolean()) {
            return true;
        }
        long returned = call.registers().rflags();
        long image = callerFlags & ~imageBits | returned & imageBits;
        if (image != callerFlags) {
            writeSlot(memory, flagsImage, table.slot(), image);
        }
        // The entry point's own flags go on; ZF tells its JZ whether to make the call again.
        long live = outcome.isPending() ? at.rflags() | InterruptCall.ZF : at.rflags() & ~InterruptCall.ZF;
        vm.setRegisters(call.registers().withRflags(live));
        if (call.segmentsChanged()) {
            vm.setSpecialRegisters(call.segments());
        }
        if (outcome.isPending()) {
            vm.stopRun(outcome.pendingReason());
        }
        return true;
    }

    /**
     * @param stackPointer RSP at the entry point, the frame's bottom
     * @param offset how far above it the slot is
     * @return the guest physical address of a slot of the frame the CPU pushed: on SS's 16- or 32-bit
     *     stack, or the flat 64-bit stack of long mode, through the guest's paging
     * @throws IllegalStateException if no page is mapped there, which the CPU that just pushed the
     *     frame allows only if the guest changed its page tables since
     */
    private static long frameSlot(SpecialRegisters cpu, GuestMemory memory, long stackPointer, EntryPoints table,
                                  int offset) {
        long linear = table == EntryPoints.LONG ? stackPointer + offset
                : cpu.ss().base() + (stackPointer + offset & (cpu.ss().db() ? 0xffff_ffffL : 0xffff));
        return PageWalk.physical(cpu, memory, linear).orElseThrow(() -> new IllegalStateException(String.format(
                "the interrupt frame at linear address 0x%x is not mapped by the guest's page tables", linear)));
    }

    private static long readSlot(GuestMemory memory, long address, int slot) {
        return switch (slot) {
            case 2 -> memory.readShort(address) & 0xffffL;
            case 4 -> memory.readInt(address) & 0xffff_ffffL;
            default -> memory.readLong(address);
        };
    }

    private static void writeSlot(GuestMemory memory, long address, int slot, long value) {
        switch (slot) {
            case 2 -> memory.writeShort(address, (int) value);
            case 4 -> memory.writeInt(address, (int) value);
            default -> memory.writeLong(address, value);
        }
    }

    /**
     * @param vector a vector a test gave
     * @return the vector
     * @throws IllegalArgumentException if it is not 0 to 255
     */
    static int checkVector(int vector) {
        if (vector < 0 || vector >= FirmwareRom.VECTORS) {
            throw new IllegalArgumentException(String.format(
                    "interrupt vector %d (0x%x) is not 0 to 255", vector, vector));
        }
        return vector;
    }
}
