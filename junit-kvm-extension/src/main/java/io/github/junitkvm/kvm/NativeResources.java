package io.github.junitkvm.kvm;

import io.github.junitkvm.backend.ReleaseAll;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The file descriptors and mappings of one machine, released in the reverse order of their
 * acquisition. Releasing goes on past a failure, so that one bad {@code close} does not leak the
 * rest, and happens once however often it is asked for.
 */
final class NativeResources implements AutoCloseable {
    private final Deque<Runnable> releases = new ArrayDeque<>();

    /** @param release undoes the acquisition just made */
    void add(Runnable release) {
        releases.push(release);
    }

    /** Releases everything added so far; throws the first failure after trying every release. */
    @Override
    public void close() {
        List<Runnable> pending = List.copyOf(releases);
        releases.clear();
        ReleaseAll.run(pending);
    }
}
