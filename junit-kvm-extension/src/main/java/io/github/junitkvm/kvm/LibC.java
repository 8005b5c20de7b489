package io.github.junitkvm.kvm;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The raw libc functions the backend calls, bound with JNA direct mapping (faster than interface
 * mapping, which matters on the {@code KVM_RUN} path). Pointers are passed as {@code long}
 * addresses so that callers decide how to wrap them. Every function reports failure the C way;
 * {@link Posix} turns that into exceptions.
 */
final class LibC {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int open(String path, int flags);

    static native int close(int fd);

    // ioctl is variadic in C; on x86-64 a fixed third integer argument is passed the same way.
    static native int ioctl(int fd, long request, long argument);

    static native long mmap(long address, long length, int protection, int flags, int fd, long offset);

    static native int munmap(long address, long length);

    static native long syscall(long number);

    static native int tgkill(int processId, int threadId, int signal);

    static native int sigaction(int signal, long newAction, long oldAction);

    static native String strerror(int errno);
}
