package io.github.junitkvm.firmware;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.InterruptHandler;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import java.util.Objects;
import java.util.OptionalInt;
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
    /** Where the caller's FLAGS are in the real-mode frame {@code int} pushed: above IP and CS. */
    private static final int FLAGS_IN_FRAME = 4;

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
        SpecialRegisters segments = vm.specialRegisters();
        OptionalInt entry = FirmwareRom.vectorAt(segments.cs().base() + at.rip());
        if (entry.isEmpty()) {
            return false;
        }
        int vector = entry.getAsInt();
        GuestMemory memory = vm.memory();
        long flagsImage = segments.ss().base() + ((at.rsp() + FLAGS_IN_FRAME) & 0xffff);
        int callerFlags = memory.readShort(flagsImage);
        InterruptCall call = new InterruptCall(vector,
                at.withRflags(at.rflags() & ~FLAGS_IMAGE_BITS | callerFlags & FLAGS_IMAGE_BITS), segments, memory);
        record.accept(VmExit.interrupt(vector).withDetail(String.format("AH=0x%02x", call.ah())));
        FirmwareService service = services[vector];
        Outcome outcome = service != null ? service.serve(call)
                : Outcome.pending(call.describe() + ": nothing serves vector 0x%02x (KvmVm.onInterrupt)".formatted(vector));
        if (closed.getAsBoolean()) {
            return true;
        }
        long returned = call.registers().rflags();
        int image = (int) (callerFlags & ~FLAGS_IMAGE_BITS | returned & FLAGS_IMAGE_BITS);
        if (image != callerFlags) {
            memory.writeShort(flagsImage, image);
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
