package io.github.junitkvm;

/**
 * The hypervisor a {@link KvmVm} runs on.
 *
 * <p>Chosen by the JUnit configuration parameter {@code junitkvm.backend}: {@code auto} (the
 * default: KVM when {@code /dev/kvm} can be opened, else the emulator), {@code kvm} or
 * {@code emulator}.
 */
public enum Backend {
    /** The Linux kernel's KVM, driven through the {@code /dev/kvm} ioctl API. */
    KVM,
    /** The Unicorn CPU emulator ({@code libunicorn.so.2}), hosted in a worker process. */
    EMULATOR
}
