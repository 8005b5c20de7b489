package io.github.junitkvm.guest;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.disasm.CodeWidth;
import io.github.junitkvm.disasm.Disassembler;
import io.github.junitkvm.disasm.Instruction;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The code part of a run's report: the CPU mode at the stop, the code at RIP disassembled (and the
 * bytes before it), and the last traced instructions disassembled, when the guest was traced.
 * Memory is read as it is at the stop, so code the guest rewrote shows as rewritten.
 */
final class CodeReport {
    /** How many bytes before RIP the report decodes backwards. */
    static final int BYTES_BEFORE = 16;
    /**
     * How many of the instructions decoded backwards the report shows: x86 decoding falls into step
     * with the real instruction boundaries after a few instructions, so the last ones are right even
     * when the first started mid-instruction.
     */
    static final int INSTRUCTIONS_BEFORE = 4;
    /** How many instructions from RIP on the report decodes, at most. */
    static final int INSTRUCTIONS_AT_RIP = 6;
    /** How many bytes from RIP on the report reads: enough for six instructions of usual length. */
    static final int BYTES_AT_RIP = 32;
    /** How many of the last traced instructions the report decodes. */
    static final int TRACE_SHOWN = 32;
    private static final int LONGEST_INSTRUCTION = 15;
    private static final String AT_RIP = "=> ";
    private static final String INDENT = "   ";

    private final Disassembler disassembler;
    private final CodeLocation location;
    private final MemoryWindow memory;
    private final StringBuilder text = new StringBuilder();

    private CodeReport(Disassembler disassembler, CodeLocation location, MemoryWindow memory) {
        this.disassembler = disassembler;
        this.location = location;
        this.memory = memory;
    }

    /**
     * @param run a run whose registers can be read
     * @param disassembler what decodes the code
     * @return the report's code part, lines ending with a line break
     */
    static String of(GuestRun run, Disassembler disassembler) {
        CodeLocation location = CodeLocation.of(run.registers(), run.specialRegisters());
        CodeReport report = new CodeReport(disassembler, location, new MemoryWindow(run.memory()));
        report.line("CPU at the stop: %s", location.mode());
        try {
            report.codeAtRip();
            // A shutdown may have reset the vCPU: the code ran as the guest started, more likely.
            boolean shutdown = run.lastExit().reason() == ExitReason.SHUTDOWN;
            report.trace(run.trace(), shutdown ? CodeLocation.width(run.mode()) : location.width(),
                    shutdown ? " as the guest started" : "");
        } catch (IllegalStateException memoryGone) {
            report.line("guest memory is no longer readable: %s", memoryGone.getMessage());
        }
        if (run.lastExit().reason() == ExitReason.SHUTDOWN && run.trace().isEmpty()) {
            report.line("(registers after a shutdown may be the vCPU's reset state, as on AMD's KVM:"
                    + " @KvmGuest(trace = 16) shows the instructions that led to it)");
        }
        return report.text.toString();
    }

    private void codeAtRip() {
        long rip = location.linearRip();
        line("code at RIP (linear 0x%x%s; %s):", rip, location.paging() ? ", read as identity-mapped" : "",
                disassembler.description());
        byte[] before = memory.before(rip, BYTES_BEFORE);
        List<Instruction> preceding = backwards(before, rip);
        if (preceding.isEmpty() && before.length > 0) {
            line("  %s0x%08x  %s  (the %d bytes before RIP, not decodable)", INDENT, rip - before.length,
                    HexFormat.ofDelimiter(" ").formatHex(before), before.length);
        }
        for (Instruction instruction : preceding) {
            line("  %s", listing(INDENT, instruction));
        }
        byte[] code = memory.from(rip, BYTES_AT_RIP);
        if (code.length == 0) {
            line("  %s0x%08x  not in guest RAM", AT_RIP, rip);
            return;
        }
        List<Instruction> instructions = disassembler.disassemble(code, rip, location.width(), INSTRUCTIONS_AT_RIP);
        if (instructions.isEmpty()) {
            line("  %s0x%08x  %s  (not decodable)", AT_RIP, rip,
                    HexFormat.ofDelimiter(" ").formatHex(code, 0, Math.min(code.length, LONGEST_INSTRUCTION)));
        }
        for (Instruction instruction : instructions) {
            line("  %s", listing(instruction.address() == rip ? AT_RIP : INDENT, instruction));
        }
    }

    /**
     * Decodes the bytes before RIP from the earliest start whose instructions end exactly at RIP,
     * and keeps the last few: the instructions that led to the stop, as far as the bytes tell.
     */
    private List<Instruction> backwards(byte[] before, long rip) {
        for (int skip = 0; skip < before.length; skip++) {
            byte[] code = Arrays.copyOfRange(before, skip, before.length);
            List<Instruction> decoded = disassembler.disassemble(code, rip - code.length, location.width(), code.length);
            if (!decoded.isEmpty()) {
                Instruction last = decoded.get(decoded.size() - 1);
                if (last.address() + last.bytes().length == rip) {
                    return decoded.subList(Math.max(0, decoded.size() - INSTRUCTIONS_BEFORE), decoded.size());
                }
            }
        }
        return List.of();
    }

    private void trace(Optional<InstructionTrace> recorded, CodeWidth width, String why) {
        if (recorded.isEmpty()) {
            return;
        }
        InstructionTrace trace = recorded.get();
        List<Long> addresses = trace.addresses();
        List<Long> shown = addresses.subList(Math.max(0, addresses.size() - TRACE_SHOWN), addresses.size());
        if (shown.isEmpty()) {
            line("trace: no instruction executed");
            return;
        }
        line("trace: the last %d of %d instructions executed, oldest first (decoded as %s%s):", shown.size(),
                trace.executed(), CodeLocation.code(width), why);
        for (long address : shown) {
            byte[] code = memory.from(address, LONGEST_INSTRUCTION);
            List<Instruction> decoded = disassembler.disassemble(code, address, width, 1);
            if (decoded.isEmpty()) {
                line("  %s0x%08x  %s", INDENT, address, code.length == 0 ? "not in guest RAM" : "(not decodable)");
            } else {
                line("  %s", listing(INDENT, decoded.get(0)));
            }
        }
    }

    private static String listing(String marker, Instruction instruction) {
        return String.format(Locale.ROOT, "%s0x%08x  %-24s %s", marker, instruction.address(), instruction.hex(),
                instruction.text()).stripTrailing();
    }

    private void line(String format, Object... arguments) {
        text.append(String.format(Locale.ROOT, format, arguments)).append('\n');
    }
}
