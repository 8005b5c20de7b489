package io.github.junitkvm.guest;

/**
 * How much of a run is kept, so that a guest that writes forever until its time limit cannot
 * exhaust the test JVM's memory: past a limit, exits and output bytes are counted, not kept.
 *
 * @param maxExits exits kept per run, besides the one that stopped it (which always is)
 * @param maxOutputBytes bytes kept of the output of all ports together (COM1's serial output is part of it)
 */
public record RecordingLimits(int maxExits, int maxOutputBytes) {
    /** The limits of {@link io.github.junitkvm.KvmGuest}'s defaults. */
    public static final RecordingLimits DEFAULT = new RecordingLimits(100_000, 1 << 20);

    /** Checks that both limits are positive. */
    public RecordingLimits {
        if (maxExits <= 0 || maxOutputBytes <= 0) {
            throw new IllegalArgumentException(
                    "recording limits must be positive: " + maxExits + " exits, " + maxOutputBytes + " bytes");
        }
    }
}
