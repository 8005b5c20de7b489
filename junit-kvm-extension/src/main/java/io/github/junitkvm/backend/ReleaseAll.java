package io.github.junitkvm.backend;

/**
 * Runs a set of releases to the end: the way an owner of several native resources closes them, so
 * that one failing {@code close} does not leak the others.
 */
public final class ReleaseAll {
    private ReleaseAll() {
    }

    /**
     * Runs every release, in order, going on past failures.
     *
     * @param releases what to run
     * @throws RuntimeException the first failure, the later ones suppressed in it
     */
    public static void run(Iterable<? extends Runnable> releases) {
        RuntimeException failure = null;
        for (Runnable release : releases) {
            try {
                release.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
