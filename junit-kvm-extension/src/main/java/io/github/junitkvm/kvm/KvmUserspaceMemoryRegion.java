package io.github.junitkvm.kvm;

import com.sun.jna.Pointer;

/**
 * The layout of {@code struct kvm_userspace_memory_region}, the argument of
 * {@code KVM_SET_USER_MEMORY_REGION}: slot, flags, guest_phys_addr, memory_size, userspace_addr.
 */
final class KvmUserspaceMemoryRegion {
    static final int SIZE = 32;
    static final int SLOT = 0;
    static final int FLAGS = 4;
    static final int GUEST_PHYS_ADDR = 8;
    static final int MEMORY_SIZE = 16;
    static final int USERSPACE_ADDR = 24;

    private KvmUserspaceMemoryRegion() {
    }

    /**
     * @param struct the struct to fill
     * @param slot the memory slot number
     * @param flags {@code KVM_MEM_*} flags
     * @param guestAddress the guest physical address
     * @param size the byte count
     * @param hostAddress the address of the backing mapping in this process
     */
    static void write(Pointer struct, int slot, int flags, long guestAddress, long size, long hostAddress) {
        struct.setInt(SLOT, slot);
        struct.setInt(FLAGS, flags);
        struct.setLong(GUEST_PHYS_ADDR, guestAddress);
        struct.setLong(MEMORY_SIZE, size);
        struct.setLong(USERSPACE_ADDR, hostAddress);
    }
}
