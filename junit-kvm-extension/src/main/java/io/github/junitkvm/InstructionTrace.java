package io.github.junitkvm;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The instructions one run executed, as {@code @KvmGuest(trace = n)} records them: the addresses of
 * the last {@code n} instructions, oldest first, and how many the run executed in all.
 *
 * <p>An address is linear: CS base + RIP (RIP alone in 64-bit code). With the identity paging that
 * every {@link CpuMode} starts with, it is also the physical address. An instruction counts once it
 * has started: the one a run stopped on ({@code HLT}, the {@code OUT} to the debug-exit port, the one
 * that faulted) is the last. A {@code REP}-prefixed string instruction counts once per iteration on
 * KVM; the emulator counts it once more, when it finds the count exhausted.
 *
 * @param addresses the linear addresses of the most recent instructions, oldest first
 * @param executed how many instructions the run executed, at least {@code addresses.size()}
 */
public record InstructionTrace(List<Long> addresses, long executed) {
    private static final int SHOWN_IN_TEXT = 8;

    /**
     * Copies the list.
     *
     * @param addresses the linear addresses of the most recent instructions, oldest first
     * @param executed how many instructions the run executed, at least {@code addresses.size()}
     */
    public InstructionTrace {
        addresses = List.copyOf(addresses);
        if (executed < addresses.size()) {
            throw new IllegalArgumentException("a trace of " + addresses.size() + " addresses cannot come from "
                    + executed + " executed instructions");
        }
    }

    /** @return a trace of a run that executed nothing */
    public static InstructionTrace empty() {
        return new InstructionTrace(List.of(), 0);
    }

    /** @return whether {@link #addresses()} holds every instruction the run executed */
    public boolean complete() {
        return executed == addresses.size();
    }

    /** @return for example {@code 12 instructions, the last 8: 0x1004 0x1006 …} */
    @Override
    public String toString() {
        List<Long> shown = addresses.subList(Math.max(0, addresses.size() - SHOWN_IN_TEXT), addresses.size());
        String list = shown.stream().map(a -> String.format(Locale.ROOT, "0x%x", a)).collect(Collectors.joining(" "));
        String which = shown.size() == executed ? "" : ", the last " + shown.size();
        return executed + (executed == 1 ? " instruction" : " instructions") + which + (shown.isEmpty() ? "" : ": " + list);
    }
}
