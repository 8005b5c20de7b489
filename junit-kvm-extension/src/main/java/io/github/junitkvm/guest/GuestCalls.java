package io.github.junitkvm.guest;

import io.github.junitkvm.CallResult;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestArena;
import io.github.junitkvm.GuestCallError;
import io.github.junitkvm.GuestFunction;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestSymbol;
import io.github.junitkvm.GuestText;
import io.github.junitkvm.SpecialRegisters;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Calls functions of a {@link GuestVm}'s guest as compiled code does, each call one run: sets up
 * the {@link CallingConvention}'s frame on the call stack of the VM's {@link CallArea}, runs from
 * the function's first instruction, and judges the stop. A call returned when the run halted on
 * the trampoline with the stack pointer just past the return address and the callee-saved
 * registers as they were; anything else is a {@link GuestCallError} with the run's report.
 *
 * <p>The system registers are read once, at the first call, and set again before the call after
 * one that failed: a triple fault may have reset the vCPU (AMD's KVM does), and a call that ran
 * astray may have changed them. Calls that return cost no more than their own run.
 */
final class GuestCalls {
    private final GuestVm vm;
    private final GuestSpec spec;
    private final RamLayout ram;
    /** The area and the arena, found when first needed; guarded by this. */
    private CallArea area;
    private Arena arena;
    /** The system registers at the first call; null before it. */
    private SpecialRegisters callState;
    /** Whether the last call failed, so that the next one sets {@link #callState} again. */
    private boolean restoreBeforeNextCall;

    GuestCalls(GuestVm vm, GuestSpec spec, RamLayout ram) {
        this.vm = vm;
        this.spec = spec;
        this.ram = ram;
    }

    GuestFunction function(String name) {
        GuestSymbol symbol = spec.symbols().find(name);
        if (symbol.kind() == GuestSymbol.Kind.OBJECT) {
            throw new IllegalArgumentException(String.format("\"%s\" at 0x%x is data (STT_OBJECT), not a function:"
                    + " read it through KvmVm.memory()", GuestText.escape(name), symbol.address()));
        }
        return target(GuestText.escape(name), symbol.address());
    }

    GuestFunction functionAt(long address) {
        return target(String.format("0x%x", address), address);
    }

    private GuestFunction target(String name, long address) {
        CallingConvention.of(spec.mode()); // refuses REAL mode before anything else
        long limit = spec.mode() == CpuMode.LONG ? Long.MAX_VALUE : SystemArea.ADDRESS_LIMIT;
        if (address < 0 || address >= limit || ram.regionHolding(address, 1).isEmpty()) {
            throw new IllegalArgumentException(String.format("function %s at 0x%x is outside guest RAM %s%s", name,
                    address, ram.describe(), limit == Long.MAX_VALUE ? "" : ", or not below 4 GiB"));
        }
        return new CallTarget(this, name, address, spec.timeout());
    }

    synchronized GuestArena arena() {
        if (arena == null) {
            arena = new Arena(vm.memory(), area());
        }
        return arena;
    }

    private synchronized CallArea area() {
        CallingConvention.of(spec.mode()); // refuses REAL mode, which has no call area
        if (area == null) {
            area = CallArea.find(spec.ram(), spec.mode(), spec.image()).orElseThrow(() -> new IllegalStateException(
                    String.format("no room for the call stack and the arena: they need %d bytes of writable RAM the"
                            + " image and the extension's tables leave free%s; RAM is %s", CallArea.MINIMUM_SIZE,
                            spec.mode() == CpuMode.LONG ? "" : " below 4 GiB", ram.describe())));
        }
        return area;
    }

    CallResult call(CallTarget target, long[] arguments) {
        vm.ensureIdle("KvmVm.call()");
        CallingConvention convention = CallingConvention.of(spec.mode());
        CallArea stack = area();
        CallingConvention.Frame frame = convention.frame(stack, target.address(), arguments);
        prepareSystemRegisters();
        vm.memory().write(frame.rsp(), frame.bytes());
        vm.setRegisters(frame.registers());
        restoreBeforeNextCall = true; // until the call has returned
        GuestRun run = vm.run(target.timeout());
        String call = target.name() + Arrays.stream(arguments).mapToObj(value -> String.format("0x%x", value))
                .collect(Collectors.joining(", ", "(", ")"));
        if (run.lastExit().reason() != ExitReason.HLT) {
            throw failure(call + " did not return: the run stopped with " + run.lastExit(), run);
        }
        GeneralRegisters at = run.registers();
        // HLT leaves RIP past itself.
        long halted = at.rip() - 1;
        if (halted != stack.trampoline()) {
            throw failure(String.format("%s did not return to its caller: it halted at 0x%x, not at the return"
                    + " address 0x%x", call, halted, stack.trampoline()), run);
        }
        Optional<String> broken = convention.brokenAtReturn(frame, at);
        if (broken.isPresent()) {
            throw failure(call + " returned, but " + broken.get(), run);
        }
        restoreBeforeNextCall = false;
        return new CallResult(convention.result(at), run);
    }

    private void prepareSystemRegisters() {
        if (callState == null) {
            callState = vm.specialRegisters();
        } else if (restoreBeforeNextCall) {
            vm.setSpecialRegisters(callState);
        }
    }

    private static GuestCallError failure(String what, GuestRun run) {
        return new GuestCallError(String.format("%n%s%n%s", what, RunSummary.of(run)), run);
    }
}
