package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitkvm.backend.HypervisorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a VM's MSR accesses KVM hands to user space: those it does not implement
 * ({@code KVM_MSR_EXIT_REASON_UNKNOWN}, which would otherwise be a #GP, or silently ignored where
 * the host sets {@code kvm.ignore_msrs}), and those a listener routes to itself, which an MSR
 * filter ({@code KVM_X86_SET_MSR_FILTER}) denies to KVM ({@code KVM_MSR_EXIT_REASON_FILTER}).
 * Both need Linux 5.10.
 */
final class MsrRouting {
    /** {@code struct kvm_enable_cap}. */
    static final int ENABLE_CAP_SIZE = 104;
    /** {@code struct kvm_enable_cap}'s {@code args}. */
    static final int ENABLE_CAP_ARGS = 8;
    /** {@code struct kvm_msr_filter}: flags, padding, 16 ranges. */
    static final int FILTER_SIZE = 8 + KvmConstants.KVM_MSR_FILTER_MAX_RANGES * MsrRouting.RANGE_SIZE;
    /** {@code struct kvm_msr_filter_range}: flags, nmsrs, base, padding, bitmap pointer. */
    static final int RANGE_SIZE = 24;
    static final int RANGE_FLAGS = 0;
    static final int RANGE_NMSRS = 4;
    static final int RANGE_BASE = 8;
    static final int RANGE_BITMAP = 16;
    /** {@code struct kvm_msr_filter}'s {@code ranges}. */
    static final int FILTER_RANGES = 8;
    private static final long MSRS_PER_RANGE = KvmConstants.KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8L;

    private final int vmFd;
    /** Whether this KVM hands MSR accesses to user space at all. */
    private final boolean available;
    private Set<Long> routed = Set.of();

    private MsrRouting(int vmFd, boolean available) {
        this.vmFd = vmFd;
        this.available = available;
    }

    /**
     * Turns the exits on, where KVM has them.
     *
     * @param vmFd the VM, before its vCPU runs
     * @return the VM's routing, nothing routed yet
     */
    static MsrRouting enable(int vmFd) {
        boolean available = Posix.ioctl(vmFd, KvmIoctl.KVM_CHECK_EXTENSION, KvmConstants.KVM_CAP_X86_USER_SPACE_MSR) > 0
                && Posix.ioctl(vmFd, KvmIoctl.KVM_CHECK_EXTENSION, KvmConstants.KVM_CAP_X86_MSR_FILTER) > 0;
        if (available) {
            try (Memory cap = new Memory(ENABLE_CAP_SIZE)) {
                cap.clear();
                cap.setInt(0, KvmConstants.KVM_CAP_X86_USER_SPACE_MSR);
                cap.setLong(ENABLE_CAP_ARGS, KvmConstants.KVM_MSR_EXIT_REASON_UNKNOWN | KvmConstants.KVM_MSR_EXIT_REASON_FILTER);
                Posix.ioctl(vmFd, KvmIoctl.KVM_ENABLE_CAP, Pointer.nativeValue(cap));
            }
        }
        return new MsrRouting(vmFd, available);
    }

    /**
     * Makes the accesses to exactly these MSRs exit to user space, besides those KVM does not
     * implement; a no-op when they are those of the last call.
     *
     * @param msrs the MSR indexes, unsigned 32-bit
     * @throws HypervisorException if some are to be routed and this KVM cannot, or they are
     *     spread too wide for a filter's 16 ranges
     */
    void route(Set<Long> msrs) {
        if (msrs.equals(routed)) {
            return;
        }
        if (!available) {
            throw new HypervisorException("this KVM cannot hand MSR accesses to the test's handlers: it lacks"
                    + " KVM_CAP_X86_USER_SPACE_MSR or KVM_CAP_X86_MSR_FILTER (Linux 5.10 and later have them)");
        }
        List<List<Long>> ranges = ranges(new TreeSet<>(msrs));
        List<Memory> bitmaps = new ArrayList<>();
        try (Memory filter = new Memory(FILTER_SIZE)) {
            filter.clear();
            // KVM_MSR_FILTER_DEFAULT_ALLOW: KVM keeps every MSR no range denies.
            for (int i = 0; i < ranges.size(); i++) {
                List<Long> range = ranges.get(i);
                long base = range.get(0);
                int count = (int) (range.get(range.size() - 1) - base + 1);
                Memory bitmap = new Memory((count + 7) / 8);
                bitmaps.add(bitmap);
                for (long offset = 0; offset < bitmap.size(); offset++) {
                    bitmap.setByte(offset, (byte) 0xff);
                }
                for (long msr : range) {
                    int bit = (int) (msr - base);
                    bitmap.setByte(bit / 8, (byte) (bitmap.getByte(bit / 8) & ~(1 << (bit % 8))));
                }
                long at = FILTER_RANGES + (long) RANGE_SIZE * i;
                filter.setInt(at + RANGE_FLAGS, KvmConstants.KVM_MSR_FILTER_READ | KvmConstants.KVM_MSR_FILTER_WRITE);
                filter.setInt(at + RANGE_NMSRS, count);
                filter.setInt(at + RANGE_BASE, (int) base);
                filter.setPointer(at + RANGE_BITMAP, bitmap);
            }
            Posix.ioctl(vmFd, KvmIoctl.KVM_X86_SET_MSR_FILTER, Pointer.nativeValue(filter));
        } finally {
            bitmaps.forEach(Memory::close);
        }
        routed = Set.copyOf(msrs);
    }

    /** Groups sorted MSRs into the fewest ranges a filter's bitmap covers. */
    private static List<List<Long>> ranges(TreeSet<Long> msrs) {
        List<List<Long>> ranges = new ArrayList<>();
        for (long msr : msrs) {
            List<Long> last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && msr - last.get(0) < MSRS_PER_RANGE) {
                last.add(msr);
            } else {
                List<Long> range = new ArrayList<>();
                range.add(msr);
                ranges.add(range);
            }
        }
        if (ranges.size() > KvmConstants.KVM_MSR_FILTER_MAX_RANGES) {
            throw new HypervisorException("the MSRs with handlers, " + msrs + ", need " + ranges.size()
                    + " ranges of a KVM MSR filter, which has room for " + KvmConstants.KVM_MSR_FILTER_MAX_RANGES);
        }
        return ranges;
    }
}
