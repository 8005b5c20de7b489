package io.github.junitkvm.guest;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest library's log of one run, bounded like the rest of what a run records: it keeps lines
 * while there are at most {@link RecordingLimits#maxExits()} of them and at most
 * {@link RecordingLimits#maxOutputBytes()} characters in all; from the first line past either
 * limit on, it only counts them, so that what it keeps is always the log's beginning.
 */
final class GuestLog {
    private final RecordingLimits limits;
    private final List<String> lines = new ArrayList<>();
    private long characters;
    private long dropped;

    /** @param limits how much the log keeps */
    GuestLog(RecordingLimits limits) {
        this.limits = limits;
    }

    /**
     * @param line a line the guest logged
     * @return whether the log kept it; if not, it is counted in {@link #dropped()}
     */
    boolean add(String line) {
        if (dropped == 0 && lines.size() < limits.maxExits()
                && line.length() <= limits.maxOutputBytes() - characters) {
            lines.add(line);
            characters += line.length();
            return true;
        }
        dropped++;
        return false;
    }

    /** @return the lines kept, in order */
    List<String> lines() {
        return List.copyOf(lines);
    }

    /** @return how many lines were logged past the limits, and not kept */
    long dropped() {
        return dropped;
    }
}
