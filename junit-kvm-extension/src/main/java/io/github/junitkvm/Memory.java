package io.github.junitkvm;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One region of guest physical RAM, inside {@link KvmGuest#memory()}.
 *
 * <p>The address must be page-aligned (4096), the size a positive multiple of 4096, and regions of
 * one guest must not overlap; a guest has at most 509 regions, each below 2^52 (the largest
 * physical address space of x86-64), together no larger than the host's physical memory; otherwise
 * the test fails naming the region.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Memory {
    /** @return the guest physical address of the region's first byte, page-aligned */
    long guestAddress() default 0;

    /** @return the region's size in bytes: a positive multiple of 4096 */
    long size();

    /**
     * @return whether the guest may only read the region (and run code from it, as from a ROM);
     *     its writes become {@code MMIO_WRITE} exits and leave memory unchanged, as with
     *     {@code KVM_MEM_READONLY}. Code may be loaded into it, and the test may write it
     *     through {@link KvmVm#memory()}
     */
    boolean readOnly() default false;
}
