package io.github.junitkvm;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One CPUID leaf (or subleaf) of the vCPU, in {@link KvmGuest#cpuid()}: what the guest's
 * {@code CPUID} returns when {@code EAX} is {@link #leaf()} (and {@code ECX} {@link #subleaf()}),
 * replacing the backend's answer whole. The guest reads it as set, on both backends, from its first
 * instruction on.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface Cpuid {
    /** The {@link #subleaf()} of a leaf whose answer does not depend on {@code ECX}. */
    int ANY_SUBLEAF = -1;

    /** @return the leaf, {@code EAX} in (an unsigned 32-bit value: {@code 0x80000001} is fine) */
    int leaf();

    /**
     * @return the subleaf, {@code ECX} in, for the leaves that have them (4, 7, 0xB, 0xD...);
     *     {@link #ANY_SUBLEAF} answers every {@code ECX} and replaces all of the leaf's subleaves
     */
    int subleaf() default ANY_SUBLEAF;

    /** @return what {@code EAX} returns */
    int eax() default 0;

    /** @return what {@code EBX} returns */
    int ebx() default 0;

    /** @return what {@code ECX} returns */
    int ecx() default 0;

    /** @return what {@code EDX} returns */
    int edx() default 0;
}
