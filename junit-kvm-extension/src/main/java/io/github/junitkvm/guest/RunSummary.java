package io.github.junitkvm.guest;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestText;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.disasm.Disassembler;
import io.github.junitkvm.disasm.Disassemblers;
import java.util.List;

/**
 * Describes a run for a failure message: enough to find the bug without running it again — how it
 * stopped, the last exits, the serial output, the guest log, the registers, the CPU mode at the stop,
 * the code at RIP disassembled, and the last instructions executed when the guest was traced.
 */
public final class RunSummary {
    /** How many of the last exits a summary shows. */
    static final int EXITS_SHOWN = 16;
    /** How much of the serial output a summary shows, from its end. */
    static final int SERIAL_SHOWN = 400;
    /** How many of the guest log's last lines a summary shows. */
    static final int LOG_LINES_SHOWN = 20;

    private RunSummary() {
    }

    /**
     * @param run a run
     * @return a multi-line description of it
     */
    public static String of(GuestRun run) {
        return of(run, Disassemblers.preferred());
    }

    /**
     * @param run a run
     * @param disassembler what decodes its code
     * @return a multi-line description of it
     */
    static String of(GuestRun run, Disassembler disassembler) {
        StringBuilder text = new StringBuilder();
        List<VmExit> exits = run.exits();
        text.append(String.format("guest run on %s in %s mode, %d exits in %d ms, stopped by %s%n",
                run.backend(), run.mode(), exits.size(), run.duration().toMillis(), run.lastExit()));
        int first = Math.max(0, exits.size() - EXITS_SHOWN);
        text.append(first == 0 ? "exits:" : "last " + (exits.size() - first) + " exits:").append('\n');
        for (int i = first; i < exits.size(); i++) {
            if (i == exits.size() - 1 && run.droppedExits() > 0) {
                text.append(String.format("  ... %d exits not recorded, past @KvmGuest(maxRecordedExits)%n",
                        run.droppedExits()));
            }
            text.append(String.format("  #%d %s%n", i, exits.get(i)));
        }
        String serial = run.serialOutput();
        if (!serial.isEmpty()) {
            String shown = serial.length() > SERIAL_SHOWN
                    ? "..." + serial.substring(serial.length() - SERIAL_SHOWN) : serial;
            text.append("serial output: \"").append(GuestText.literal(shown)).append("\"");
            long dropped = run.droppedOutputBytes(Serial16550.COM1);
            text.append(dropped == 0 ? "\n"
                    : String.format(" and %d bytes not recorded, past @KvmGuest(maxRecordedOutput)%n", dropped));
        }
        appendGuestLog(run, text);
        try {
            text.append("registers at the stop:\n").append(indent(run.registers().toString())).append('\n')
                .append(indent(run.specialRegisters().toString())).append('\n');
        } catch (IllegalStateException e) {
            return text.append("  ").append(e.getMessage()).toString();
        }
        try {
            text.append(CodeReport.of(run, disassembler));
        } catch (RuntimeException e) {
            // The report serves a failure message: it must never replace that failure with its own.
            text.append("code at the stop: not shown: ").append(e);
        }
        return text.toString().stripTrailing();
    }

    /**
     * Appends the last lines the guest library's log kept, escaped, and how many it did not keep.
     *
     * @param run a run
     * @param text where they go, under a heading, indented
     */
    private static void appendGuestLog(GuestRun run, StringBuilder text) {
        List<String> log = run.guestLog();
        long dropped = run.droppedGuestLogLines();
        if (log.isEmpty() && dropped == 0) {
            return;
        }
        int first = Math.max(0, log.size() - LOG_LINES_SHOWN);
        text.append(first == 0 ? "guest log:" : "guest log, last " + LOG_LINES_SHOWN + " of " + log.size() + " lines:")
                .append('\n');
        for (int i = first; i < log.size(); i++) {
            text.append(indent(GuestText.escape(log.get(i)))).append('\n');
        }
        if (dropped > 0) {
            text.append(String.format("  ... %d later lines not recorded, past @KvmGuest(maxRecordedOutput)"
                    + " characters or @KvmGuest(maxRecordedExits) lines%n", dropped));
        }
    }

    private static String indent(String text) {
        return "  " + text.replace("\n", "\n  ");
    }
}
