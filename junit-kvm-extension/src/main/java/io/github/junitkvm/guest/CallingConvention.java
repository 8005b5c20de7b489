package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How compiled code calls a function with integer and pointer arguments, in each CPU mode that
 * has one: where the arguments go, how the stack looks at the call, where the result comes back,
 * and which registers the callee must keep.
 */
enum CallingConvention {
    /**
     * The System V AMD64 ABI of {@code LONG} mode: six arguments in registers, the rest on the
     * stack in 8-byte slots; RAX holds the result; RBX, RBP and R12 to R15 are the callee's to keep.
     */
    SYSTEM_V_AMD64("the System V AMD64 ABI", 8, List.of("RBX", "RBP", "R12", "R13", "R14", "R15")) {
        @Override
        GeneralRegisters entryRegisters(long function, long rsp, long[] arguments) {
            long[] in = new long[6];
            System.arraycopy(arguments, 0, in, 0, Math.min(arguments.length, in.length));
            // RAX = 0: a variadic callee reads AL as the number of vector registers holding arguments.
            return new GeneralRegisters(0, 0, in[3], in[2], in[1], in[0], rsp, 0, in[4], in[5], 0, 0, 0, 0, 0, 0,
                    function, Rflags.FIXED);
        }

        @Override
        int stackArguments(int count) {
            return Math.max(0, count - 6);
        }

        @Override
        long result(GeneralRegisters registers) {
            return registers.rax();
        }

        @Override
        long[] calleeSaved(GeneralRegisters registers) {
            return new long[] {registers.rbx(), registers.rbp(), registers.r12(), registers.r13(), registers.r14(),
                    registers.r15()};
        }
    },
    /**
     * cdecl, the i386 System V ABI of {@code PROTECTED} and {@code PAGED} mode: every argument on
     * the stack in a 4-byte slot, the caller removing them; EDX:EAX holds the result; EBX, ESI, EDI
     * and EBP are the callee's to keep.
     */
    CDECL("cdecl", 4, List.of("EBX", "ESI", "EDI", "EBP")) {
        @Override
        GeneralRegisters entryRegisters(long function, long rsp, long[] arguments) {
            return new GeneralRegisters(0, 0, 0, 0, 0, 0, rsp, 0, 0, 0, 0, 0, 0, 0, 0, 0, function, Rflags.FIXED);
        }

        @Override
        int stackArguments(int count) {
            return count;
        }

        @Override
        long result(GeneralRegisters registers) {
            return (registers.rdx() << 32) | (registers.rax() & 0xffff_ffffL);
        }

        @Override
        long[] calleeSaved(GeneralRegisters registers) {
            // The upper halves are not the 32-bit code's: the CPU leaves them undefined.
            return new long[] {registers.rbx() & 0xffff_ffffL, registers.rsi() & 0xffff_ffffL,
                    registers.rdi() & 0xffff_ffffL, registers.rbp() & 0xffff_ffffL};
        }
    };

    private static final long STACK_ALIGNMENT = 16;

    private final String title;
    private final int slot;
    private final List<String> calleeSavedNames;

    CallingConvention(String title, int slot, List<String> calleeSavedNames) {
        this.title = title;
        this.slot = slot;
        this.calleeSavedNames = calleeSavedNames;
    }

    /**
     * @param mode a CPU mode
     * @return its convention
     * @throws IllegalStateException for {@code REAL} mode, which has none the extension supports
     */
    static CallingConvention of(CpuMode mode) {
        return switch (mode) {
            case LONG -> SYSTEM_V_AMD64;
            case PROTECTED, PAGED -> CDECL;
            case REAL -> throw new IllegalStateException("function calls and the arena need PROTECTED, PAGED or LONG"
                    + " mode, not REAL: 16-bit code has no one calling convention to call it with");
        };
    }

    /** @return the convention's name, as messages give it */
    String title() {
        return title;
    }

    /**
     * @param function the function's address
     * @param rsp the stack pointer at its first instruction
     * @param arguments the arguments
     * @return the registers at the function's first instruction: arguments, stack, entry, flags
     *     (interrupts off, direction flag clear); every other register zero
     */
    abstract GeneralRegisters entryRegisters(long function, long rsp, long[] arguments);

    /**
     * @param count how many arguments the call has
     * @return how many of them go on the stack
     */
    abstract int stackArguments(int count);

    /**
     * @param registers the registers at the return
     * @return the return value register: RAX, or EDX:EAX
     */
    abstract long result(GeneralRegisters registers);

    /**
     * @param registers registers
     * @return the callee-saved registers' values, as the convention sees them
     */
    abstract long[] calleeSaved(GeneralRegisters registers);

    /**
     * Lays out a call's stack below the trampoline: the return address at the stack pointer, then
     * the stack arguments, the first of them 16-byte aligned (the stack at the {@code call}
     * instruction, as both ABIs require), then the trampoline's bytes.
     *
     * @param area where the stack is
     * @param function the function's address
     * @param arguments the arguments
     * @return the frame
     * @throws IllegalArgumentException if a cdecl argument does not fit 32 bits, or the arguments do
     *     not fit the stack
     */
    Frame frame(CallArea area, long function, long[] arguments) {
        if (this == CDECL) {
            for (int i = 0; i < arguments.length; i++) {
                long value = arguments[i];
                if (value != (int) value && value >>> 32 != 0) {
                    throw new IllegalArgumentException(String.format("argument %d, 0x%x, does not fit the 32-bit stack"
                            + " slot of a cdecl call: pass a 64-bit argument as two, its low half first", i, value));
                }
            }
        }
        int onStack = stackArguments(arguments.length);
        long firstArgument = (area.trampoline() - (long) onStack * slot) & -STACK_ALIGNMENT;
        long rsp = firstArgument - slot;
        // Half the stack at most, so that the function has the rest.
        if (rsp - area.stackBottom() < (area.trampoline() - area.stackBottom()) / 2) {
            throw new IllegalArgumentException(String.format("%d stack arguments do not fit the call stack of %d"
                    + " bytes", onStack, area.trampoline() - area.stackBottom()));
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) (area.trampoline() - rsp) + CallArea.TRAMPOLINE.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        putSlot(bytes, 0, area.trampoline());
        for (int i = 0; i < onStack; i++) {
            putSlot(bytes, (int) (firstArgument - rsp) + i * slot, arguments[arguments.length - onStack + i]);
        }
        bytes.position((int) (area.trampoline() - rsp));
        bytes.put(CallArea.TRAMPOLINE);
        return new Frame(rsp, bytes.array(), entryRegisters(function, rsp, arguments));
    }

    private void putSlot(ByteBuffer bytes, int offset, long value) {
        if (slot == 8) {
            bytes.putLong(offset, value);
        } else {
            bytes.putInt(offset, (int) value);
        }
    }

    /**
     * @param frame the call's frame
     * @param at the registers when the run stopped at the trampoline
     * @return what the callee broke of the convention, if anything: the stack pointer must be just
     *     past the return address, the callee-saved registers as they were
     */
    Optional<String> brokenAtReturn(Frame frame, GeneralRegisters at) {
        List<String> broken = new ArrayList<>();
        long expected = frame.rsp() + slot;
        long rsp = slot == 8 ? at.rsp() : at.rsp() & 0xffff_ffffL;
        if (rsp < expected) {
            broken.add(String.format("it returned with the stack pointer at 0x%x, not 0x%x just past the return"
                    + " address: it left %d bytes pushed", rsp, expected, expected - rsp));
        } else if (rsp > expected) {
            broken.add(String.format("it returned with the stack pointer at 0x%x, not 0x%x just past the return"
                    + " address: it removed %d bytes of its caller's (a callee that removes its own arguments, as"
                    + " stdcall does, does not follow %s)", rsp, expected, rsp - expected, title));
        }
        long[] before = calleeSaved(frame.registers());
        long[] after = calleeSaved(at);
        for (int i = 0; i < before.length; i++) {
            if (before[i] != after[i]) {
                broken.add(String.format("it changed %s from 0x%x to 0x%x, which %s has the callee keep (%s)",
                        calleeSavedNames.get(i), before[i], after[i], title, String.join(", ", calleeSavedNames)));
            }
        }
        return broken.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", broken));
    }

    /**
     * A call's stack as the function finds it.
     *
     * @param rsp the stack pointer at the function's first instruction: the return address's slot
     * @param bytes what goes into RAM from {@code rsp} up: the return address, the stack arguments
     *     and the trampoline
     * @param registers the registers at the function's first instruction
     */
    record Frame(long rsp, byte[] bytes, GeneralRegisters registers) {
    }
}
