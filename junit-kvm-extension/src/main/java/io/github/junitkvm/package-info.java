/**
 * junit-kvm: test low-level code inside real virtual machines from JUnit 5.
 *
 * <p>Annotate a test with {@link io.github.junitkvm.KvmGuest}, declare a
 * {@link io.github.junitkvm.GuestRun} (or {@link io.github.junitkvm.KvmVm}) parameter, and assert
 * with {@link io.github.junitkvm.KvmAssertions}. Everything a test needs is in this package, the
 * only one the module exports; the sub-packages are the implementation.
 *
 * <p>This package depends on none of them: they depend on it. Where the API needs its
 * implementation (the extension's callbacks, the report a failed assertion shows), it finds it at
 * run time through {@link io.github.junitkvm.KvmProvider}, a {@link java.util.ServiceLoader}
 * service. {@link io.github.junitkvm.KvmExtension} stays here, as the class {@code @KvmGuest}
 * names; the JUnit wiring behind it lives in {@code io.github.junitkvm.junit}.
 */
package io.github.junitkvm;
