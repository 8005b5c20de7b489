package io.github.junitkvm.emulator.worker;

import com.sun.jna.ptr.IntByReference;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;

/**
 * The loaded libunicorn's version, and what it says about the library's behaviour where the
 * versions the worker supports (Debian's 2.0.1, the unicorn wheel's 2.1.4) differ.
 *
 * @param combined {@code uc_version}'s result: major, minor and patch level in its upper bytes
 */
record UnicornVersion(int combined) {
    /**
     * @param uc the loaded library
     * @return its version
     */
    static UnicornVersion of(UnicornLibrary uc) {
        return new UnicornVersion(uc.uc_version(new IntByReference(), new IntByReference()));
    }

    /**
     * @return whether RIP holds CS base + IP inside port hooks, which 2.0.2 fixed
     *     (unicorn-engine/unicorn#1770)
     */
    boolean linearIpInPortHooks() {
        return isBefore(0x02_00_02);
    }

    /**
     * @return whether the library translates addresses through the guest's page tables, and can
     *     flush its translations cheaply; before 2.1.0 it takes virtual addresses as physical ones,
     *     and a flush clears its whole 1 GiB code buffer (seconds, and 1 GiB of resident memory)
     */
    boolean translatesGuestPaging() {
        return !isBefore(0x02_01_00);
    }

    private boolean isBefore(int majorMinorPatch) {
        return combined >>> 8 < majorMinorPatch;
    }
}
