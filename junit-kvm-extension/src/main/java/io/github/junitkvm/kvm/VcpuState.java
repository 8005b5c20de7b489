package io.github.junitkvm.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything KVM lets user space read of a vCPU's architectural state, captured once (right after
 * the vCPU's creation) and written back on {@link #restore}, so that a reused vCPU starts exactly
 * as a new one: the general and system registers, the x87/SSE state ({@code kvm_fpu}), the XSAVE
 * area and the XCRs where KVM has them, the pending events, the debug registers, and every MSR
 * ({@link MsrSnapshot}).
 *
 * <p>The structures are opaque to the backend: they go back to KVM byte for byte, so only their
 * sizes are mirrored (and checked against {@code linux/kvm.h} by {@code KvmAbiTest}). The bytes live
 * on the Java heap; native memory is only borrowed for the duration of one ioctl.
 */
final class VcpuState {
    static final int FPU_SIZE = 416;
    static final int XSAVE_SIZE = 4096;
    static final int XCRS_SIZE = 392;
    static final int VCPU_EVENTS_SIZE = 64;
    static final int DEBUGREGS_SIZE = 128;
    static final int MSR_LIST_HEADER_SIZE = 4;
    static final int MSRS_HEADER_SIZE = 8;
    /** In the XSAVE area: the FXSAVE legacy region's MXCSR and XMM registers, the header's XSTATE_BV. */
    private static final int XSAVE_MXCSR = 24;
    private static final int XSAVE_XMM = 160;
    private static final int XSAVE_XMM_BYTES = 256;
    private static final int XSAVE_XSTATE_BV = 512;
    private static final long XFEATURE_SSE = 1 << 1;
    /** MXCSR after a processor reset (Intel SDM vol. 1, 10.2.3): all exceptions masked, round to nearest. */
    private static final int MXCSR_AT_RESET = 0x1f80;

    /** One opaque structure: the ioctls that read and write it, and its bytes at capture. */
    private record Blob(KvmIoctl get, KvmIoctl set, byte[] bytes) {
        static Blob read(int vcpuFd, KvmIoctl get, KvmIoctl set, int size) {
            try (Memory buffer = new Memory(size)) {
                buffer.clear();
                Posix.ioctl(vcpuFd, get, Pointer.nativeValue(buffer));
                return new Blob(get, set, buffer.getByteArray(0, size));
            }
        }

        void write(int vcpuFd) {
            try (Memory buffer = new Memory(bytes.length)) {
                buffer.write(0, bytes, 0, bytes.length);
                Posix.ioctl(vcpuFd, set, Pointer.nativeValue(buffer));
            }
        }
    }

    /** In the order {@link #restore} writes them: the system registers (modes, EFER) first. */
    private final List<Blob> blobs;
    private final MsrSnapshot msrs;

    private VcpuState(List<Blob> blobs, MsrSnapshot msrs) {
        this.blobs = List.copyOf(blobs);
        this.msrs = msrs;
    }

    /**
     * @param kvmFd the open {@code /dev/kvm}, asked which structures this KVM offers and which MSRs
     *     it saves
     * @param vcpuFd the vCPU
     * @return the vCPU's state now
     */
    static VcpuState capture(int kvmFd, int vcpuFd) {
        List<Blob> blobs = new ArrayList<>();
        blobs.add(Blob.read(vcpuFd, KvmIoctl.KVM_GET_SREGS, KvmIoctl.KVM_SET_SREGS, KvmSregs.SIZE));
        blobs.add(Blob.read(vcpuFd, KvmIoctl.KVM_GET_REGS, KvmIoctl.KVM_SET_REGS, KvmRegs.SIZE));
        blobs.add(Blob.read(vcpuFd, KvmIoctl.KVM_GET_FPU, KvmIoctl.KVM_SET_FPU, FPU_SIZE));
        // After kvm_fpu, which it supersedes where KVM has it.
        if (has(kvmFd, KvmConstants.KVM_CAP_XSAVE)) {
            Blob xsave = Blob.read(vcpuFd, KvmIoctl.KVM_GET_XSAVE, KvmIoctl.KVM_SET_XSAVE, XSAVE_SIZE);
            blobs.add(new Blob(xsave.get(), xsave.set(), withExplicitSse(xsave.bytes())));
        }
        if (has(kvmFd, KvmConstants.KVM_CAP_XCRS)) {
            blobs.add(Blob.read(vcpuFd, KvmIoctl.KVM_GET_XCRS, KvmIoctl.KVM_SET_XCRS, XCRS_SIZE));
        }
        if (has(kvmFd, KvmConstants.KVM_CAP_VCPU_EVENTS)) {
            blobs.add(Blob.read(vcpuFd, KvmIoctl.KVM_GET_VCPU_EVENTS, KvmIoctl.KVM_SET_VCPU_EVENTS,
                    VCPU_EVENTS_SIZE));
        }
        if (has(kvmFd, KvmConstants.KVM_CAP_DEBUGREGS)) {
            blobs.add(Blob.read(vcpuFd, KvmIoctl.KVM_GET_DEBUGREGS, KvmIoctl.KVM_SET_DEBUGREGS, DEBUGREGS_SIZE));
        }
        return new VcpuState(blobs, MsrSnapshot.capture(kvmFd, vcpuFd));
    }

    /**
     * Writes the captured state back. The MSRs go after the system registers, so that EFER and
     * the modes they depend on are in place, and before the general registers and the FPU, whose
     * writes do not depend on them.
     *
     * @param vcpuFd the vCPU the state was captured from
     */
    void restore(int vcpuFd) {
        blobs.get(0).write(vcpuFd);
        msrs.restore(vcpuFd);
        for (Blob blob : blobs.subList(1, blobs.size())) {
            blob.write(vcpuFd);
        }
    }

    /**
     * A new vCPU's XSAVE area marks SSE as in its initial state (XSTATE_BV bit 1 clear), and then
     * neither KVM_SET_XSAVE nor the CPU's XRSTORS sets MXCSR everywhere (KVM inside QEMU kept the
     * guest's MXCSR; the area's and kvm_fpu's MXCSR field read 0 there, while the new vCPU's MXCSR
     * is 0x1f80), so a guest's MXCSR would survive the reset. The SSE state written instead is the
     * new vCPU's spelled out: zero XMM registers and MXCSR as after a processor reset, with the bit
     * set, so that every implementation loads them.
     */
    private static byte[] withExplicitSse(byte[] xsave) {
        ByteBuffer area = ByteBuffer.wrap(xsave.clone()).order(ByteOrder.LITTLE_ENDIAN);
        if ((area.getLong(XSAVE_XSTATE_BV) & XFEATURE_SSE) == 0) {
            area.put(XSAVE_XMM, new byte[XSAVE_XMM_BYTES]);
            area.putInt(XSAVE_MXCSR, MXCSR_AT_RESET);
            area.putLong(XSAVE_XSTATE_BV, area.getLong(XSAVE_XSTATE_BV) | XFEATURE_SSE);
        }
        return area.array();
    }

    private static boolean has(int kvmFd, int capability) {
        return Posix.ioctl(kvmFd, KvmIoctl.KVM_CHECK_EXTENSION, capability) > 0;
    }
}
