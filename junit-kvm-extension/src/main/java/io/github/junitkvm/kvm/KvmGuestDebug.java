package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The layout of {@code struct kvm_guest_debug}, the argument of {@code KVM_SET_GUEST_DEBUG}: a
 * {@code __u32} control word, padding, and the x86 debug registers, which single-stepping leaves
 * zero.
 */
final class KvmGuestDebug {
    static final int SIZE = 72;
    static final int CONTROL = 0;

    private KvmGuestDebug() {
    }

    /**
     * Makes every {@code KVM_RUN} of the vCPU execute one instruction and return
     * {@code KVM_EXIT_DEBUG} (unless the instruction itself exits).
     *
     * @param vcpuFd the vCPU
     */
    static void enableSingleStep(int vcpuFd) {
        setControl(vcpuFd, KvmConstants.KVM_GUESTDBG_ENABLE | KvmConstants.KVM_GUESTDBG_SINGLESTEP);
    }

    /**
     * Turns guest debugging off, as on a new vCPU.
     *
     * @param vcpuFd the vCPU
     */
    static void disable(int vcpuFd) {
        setControl(vcpuFd, 0);
    }

    private static void setControl(int vcpuFd, int control) {
        try (Memory debug = new Memory(SIZE)) {
            debug.clear();
            debug.setInt(CONTROL, control);
            Posix.ioctl(vcpuFd, KvmIoctl.KVM_SET_GUEST_DEBUG, Pointer.nativeValue(debug));
        }
    }
}
