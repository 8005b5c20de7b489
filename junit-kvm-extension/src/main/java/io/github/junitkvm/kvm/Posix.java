package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.file.Path;

/**
 * The libc calls of {@link LibC} with C failure returns turned into {@link ErrnoException}s, and the
 * x86-64 Linux constants they need (checked against the system headers by {@code KvmAbiTest}).
 */
final class Posix {
    static final int O_RDWR = 0x2;
    static final int O_CLOEXEC = 0x80000;
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x1;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int ENODEV = 19;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ENOTTY = 25;

    static final int SYS_GETTID = 186;
    static final int SIGPIPE = 13;

    /** {@code sizeof(struct sigaction)} in glibc; the handler is its first member. */
    static final int SIGACTION_SIZE = 152;
    static final int SIGACTION_HANDLER = 0;
    static final long SIG_DFL = 0;
    static final long SIG_IGN = 1;

    private static final long MAP_FAILED = -1;

    private Posix() {
    }

    /**
     * @param path the file
     * @param flags {@code open(2)} flags
     * @return the file descriptor
     */
    static int open(Path path, int flags) {
        int fd = LibC.open(path.toString(), flags);
        if (fd < 0) {
            throw new ErrnoException("open " + path, Native.getLastError());
        }
        return fd;
    }

    /** @param fd a file descriptor this process owns */
    static void close(int fd) {
        if (LibC.close(fd) != 0) {
            throw new ErrnoException("close(" + fd + ")", Native.getLastError());
        }
    }

    /**
     * @param fd the file descriptor
     * @param request the ioctl
     * @param argument its argument: a value or a native address
     * @return the ioctl's non-negative result
     */
    static int ioctl(int fd, KvmIoctl request, long argument) {
        int result = LibC.ioctl(fd, request.number(), argument);
        if (result < 0) {
            throw new ErrnoException(request.name(), Native.getLastError());
        }
        return result;
    }

    /**
     * Like {@link #ioctl} but reports an interruption by a signal instead of throwing.
     *
     * @return {@code false} if the call failed with {@code EINTR}, {@code true} if it succeeded
     */
    static boolean ioctlInterruptible(int fd, KvmIoctl request, long argument) {
        if (LibC.ioctl(fd, request.number(), argument) >= 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == EINTR) {
            return false;
        }
        throw new ErrnoException(request.name(), errno);
    }

    /**
     * Maps memory that the kernel chooses the address of.
     *
     * @param length the byte count
     * @param protection {@code PROT_} flags
     * @param flags {@code MAP_} flags
     * @param fd the file to map, or -1
     * @param what what the mapping is for, for the error message
     * @return the address of the mapping
     */
    static long mmap(long length, int protection, int flags, int fd, String what) {
        long address = LibC.mmap(0, length, protection, flags, fd, 0);
        if (address == MAP_FAILED) {
            throw new ErrnoException("mmap of " + length + " bytes for " + what, Native.getLastError());
        }
        return address;
    }

    /**
     * @param address a mapping's address
     * @param length its length
     */
    static void munmap(long address, long length) {
        if (LibC.munmap(address, length) != 0) {
            throw new ErrnoException("munmap", Native.getLastError());
        }
    }

    /** @return the kernel's id of the calling thread, the one {@code tgkill} addresses */
    static int gettid() {
        return (int) LibC.syscall(SYS_GETTID);
    }

    /**
     * @param processId the thread group, this process
     * @param threadId the kernel thread id
     * @param signal the signal number
     */
    static void tgkill(int processId, int threadId, int signal) {
        if (LibC.tgkill(processId, threadId, signal) != 0) {
            throw new ErrnoException("tgkill(" + processId + ", " + threadId + ", " + signal + ")",
                    Native.getLastError());
        }
    }

    /**
     * @param signal a signal number
     * @return the address of the signal's current handler, or {@link #SIG_DFL} or {@link #SIG_IGN}
     */
    static long signalHandler(int signal) {
        try (Memory action = new Memory(SIGACTION_SIZE)) {
            action.clear();
            if (LibC.sigaction(signal, 0, Pointer.nativeValue(action)) != 0) {
                throw new ErrnoException("sigaction(" + signal + ")", Native.getLastError());
            }
            return action.getLong(SIGACTION_HANDLER);
        }
    }
}
