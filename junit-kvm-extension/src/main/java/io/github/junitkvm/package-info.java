/**
 * junit-kvm: test low-level code inside real virtual machines from JUnit 5.
 *
 * <p>Annotate a test with {@link io.github.junitkvm.KvmGuest}, declare a
 * {@link io.github.junitkvm.GuestRun} (or {@link io.github.junitkvm.KvmVm}) parameter, and assert
 * with {@link io.github.junitkvm.KvmAssertions}. Everything a test needs is in this package; the
 * sub-packages are the implementation.
 */
package io.github.junitkvm;
