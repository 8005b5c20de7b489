package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.github.junitkvm.backend.HypervisorException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The values of a vCPU's model-specific registers at one moment, for writing back later: every MSR
 * of {@code KVM_GET_MSR_INDEX_LIST} that this vCPU lets user space both read and write.
 *
 * <p>{@code KVM_GET_MSRS} and {@code KVM_SET_MSRS} stop at the first MSR they refuse and return how
 * many they did; the capture skips the refused ones (an MSR the vCPU's CPUID does not offer), so
 * that the restore can demand that every captured MSR is written.
 */
final class MsrSnapshot {
    static final int ENTRY_SIZE = 16;
    static final int ENTRY_DATA = 8;
    /** Enough for every KVM so far; a larger list is asked for again at the size KVM reports. */
    private static final int FIRST_LIST_CAPACITY = 512;
    static final int E2BIG = 7;

    private final int[] indices;
    private final long[] values;

    private MsrSnapshot(int[] indices, long[] values) {
        this.indices = indices;
        this.values = values;
    }

    /**
     * @param kvmFd the open {@code /dev/kvm}
     * @param vcpuFd the vCPU
     * @return the vCPU's MSRs now
     */
    static MsrSnapshot capture(int kvmFd, int vcpuFd) {
        int[] candidates = indexList(kvmFd);
        int[] readable = new int[candidates.length];
        long[] values = new long[candidates.length];
        int count = 0;
        for (int start = 0; start < candidates.length; ) {
            int[] batch = Arrays.copyOfRange(candidates, start, candidates.length);
            long[] read = new long[batch.length];
            int done = transfer(vcpuFd, KvmIoctl.KVM_GET_MSRS, batch, read);
            System.arraycopy(batch, 0, readable, count, done);
            System.arraycopy(read, 0, values, count, done);
            count += done;
            start += done + 1; // the one refused
        }
        int[] writable = new int[count];
        long[] kept = new long[count];
        int keptCount = 0;
        for (int start = 0; start < count; ) {
            int[] batch = Arrays.copyOfRange(readable, start, count);
            long[] batchValues = Arrays.copyOfRange(values, start, count);
            int done = transfer(vcpuFd, KvmIoctl.KVM_SET_MSRS, batch, batchValues);
            System.arraycopy(batch, 0, writable, keptCount, done);
            System.arraycopy(batchValues, 0, kept, keptCount, done);
            keptCount += done;
            start += done + 1;
        }
        return new MsrSnapshot(Arrays.copyOf(writable, keptCount), Arrays.copyOf(kept, keptCount));
    }

    /**
     * @param vcpuFd the vCPU the snapshot was captured from
     * @throws HypervisorException naming the MSR KVM refused
     */
    void restore(int vcpuFd) {
        long[] copy = values.clone();
        int done = transfer(vcpuFd, KvmIoctl.KVM_SET_MSRS, indices, copy);
        if (done != indices.length) {
            throw new HypervisorException(String.format(Locale.ROOT,
                    "KVM_SET_MSRS wrote %d of %d MSRs: it refused MSR 0x%x, which it accepted when the vCPU was new",
                    done, indices.length, indices[done]));
        }
    }

    /** Reads ({@code KVM_GET_MSRS}) into {@code values} or writes from it; returns the count done. */
    static int transfer(int vcpuFd, KvmIoctl request, int[] indices, long[] values) {
        if (indices.length == 0) {
            return 0;
        }
        try (Memory msrs = new Memory(VcpuState.MSRS_HEADER_SIZE + (long) ENTRY_SIZE * indices.length)) {
            msrs.clear();
            msrs.setInt(0, indices.length);
            for (int i = 0; i < indices.length; i++) {
                long entry = VcpuState.MSRS_HEADER_SIZE + (long) ENTRY_SIZE * i;
                msrs.setInt(entry, indices[i]);
                msrs.setLong(entry + ENTRY_DATA, values[i]);
            }
            int done = Posix.ioctl(vcpuFd, request, Pointer.nativeValue(msrs));
            for (int i = 0; i < done; i++) {
                values[i] = msrs.getLong(VcpuState.MSRS_HEADER_SIZE + (long) ENTRY_SIZE * i + ENTRY_DATA);
            }
            return done;
        }
    }

    private static int[] indexList(int kvmFd) {
        int capacity = FIRST_LIST_CAPACITY;
        while (true) {
            try (Memory list = new Memory(VcpuState.MSR_LIST_HEADER_SIZE + 4L * capacity)) {
                list.setInt(0, capacity);
                try {
                    Posix.ioctl(kvmFd, KvmIoctl.KVM_GET_MSR_INDEX_LIST, Pointer.nativeValue(list));
                } catch (ErrnoException e) {
                    if (e.errno() != E2BIG || list.getInt(0) <= capacity) {
                        throw e;
                    }
                    capacity = list.getInt(0);
                    continue;
                }
                return list.getIntArray(VcpuState.MSR_LIST_HEADER_SIZE, list.getInt(0));
            }
        }
    }
}
