package io.github.junitkvm.emulator.worker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Keeps the worker's memory in small pages. Unicorn asks for transparent huge pages
 * ({@code MADV_HUGEPAGE}) on each engine's 1 GiB translation buffer, so the first block an engine
 * translates faults in a 2 MiB page, which the kernel zeroes and {@code uc_close} frees again: for a
 * test's machine, which translates a few blocks, that was a fifth of a machine's life in C
 * (tools/bench) and 2 MiB of its resident memory, where a few 4 KiB pages do.
 */
final class SmallPages {
    /** {@code PR_SET_THP_DISABLE} from {@code <linux/prctl.h>}. */
    private static final int PR_SET_THP_DISABLE = 41;

    private SmallPages() {
    }

    /**
     * Turns transparent huge pages off for this process. Best effort: a kernel without the setting
     * (before Linux 3.15) leaves the pages as Unicorn asked, which costs time, not correctness.
     */
    static void useForThisProcess() {
        try {
            C.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
        } catch (LastErrorException | LinkageError e) {
            System.err.println("emulator worker: transparent huge pages stay on: " + e.getMessage());
        }
    }

    /** The C library's {@code prctl}, mapped directly. */
    private static final class C {
        static {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        private C() {
        }

        static native int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;
    }
}
