/**
 * The KVM backend: drives the Linux {@code /dev/kvm} ioctl API through JNA.
 *
 * <p>{@link io.github.junitkvm.kvm.KvmHypervisor} is the only public type; it opens
 * {@code /dev/kvm} and creates machines implementing
 * {@link io.github.junitkvm.backend.VirtualMachine}. Everything else is package-private and split
 * the way rust-vmm splits {@code kvm-bindings} from {@code kvm-ioctls}:
 * <ul>
 *   <li>the libc binding and its errno handling ({@code LibC}, {@code Posix},
 *       {@code ErrnoException});</li>
 *   <li>plain mirrors of {@code linux/kvm.h}: ioctl numbers, exit reasons, and one layout class per
 *       struct, each checked against the system header by {@code KvmAbiTest};</li>
 *   <li>the machine itself: its native resources, guest RAM, the decoding of {@code kvm_run} exits
 *       and the interruption of a running vCPU.</li>
 * </ul>
 * Nothing here knows JUnit, and no JNA type appears in a public signature.
 */
package io.github.junitkvm.kvm;
