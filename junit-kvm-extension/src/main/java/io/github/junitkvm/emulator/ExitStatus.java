package io.github.junitkvm.emulator;

import java.util.Map;

/** Describes how a worker process ended, as {@link Process#exitValue()} reports it. */
final class ExitStatus {
    /** The JDK reports death by signal N as exit value 128 + N. */
    private static final int SIGNAL_BASE = 128;
    private static final Map<Integer, String> SIGNALS = Map.ofEntries(
            Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"), Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"),
            Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"), Map.entry(11, "SIGSEGV"), Map.entry(13, "SIGPIPE"), Map.entry(14, "SIGALRM"),
            Map.entry(15, "SIGTERM"));

    private ExitStatus() {
    }

    /**
     * @param exitValue the process's exit value
     * @return for example {@code exit code 134, signal SIGABRT}, or {@code exit code 1}
     */
    static String describe(int exitValue) {
        String signal = SIGNALS.get(exitValue - SIGNAL_BASE);
        return "exit code " + exitValue + (signal == null ? "" : ", signal " + signal);
    }
}
