package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.BitSet;

/**
 * {@code KVM_GET_DIRTY_LOG} for one memory slot registered with {@code KVM_MEM_LOG_DIRTY_PAGES}:
 * which of its pages the guest wrote since the last call (the call clears the log).
 */
final class DirtyLog {
    /** {@code sizeof(struct kvm_dirty_log)}: {@code __u32 slot}, padding, the bitmap's address. */
    static final int SIZE = 16;
    static final int SLOT = 0;
    static final int DIRTY_BITMAP = 8;

    private DirtyLog() {
    }

    /**
     * @param vmFd the VM
     * @param slot the slot number
     * @param pages how many pages the slot has
     * @return the pages written since the last call, as page numbers within the slot
     */
    static BitSet take(int vmFd, int slot, long pages) {
        long words = (pages + 63) / 64;
        try (Memory bitmap = new Memory(words * 8); Memory log = new Memory(SIZE)) {
            bitmap.clear();
            log.clear();
            log.setInt(SLOT, slot);
            log.setLong(DIRTY_BITMAP, Pointer.nativeValue(bitmap));
            Posix.ioctl(vmFd, KvmIoctl.KVM_GET_DIRTY_LOG, Pointer.nativeValue(log));
            return BitSet.valueOf(bitmap.getLongArray(0, (int) words));
        }
    }
}
