/**
 * The JUnit Jupiter wiring: what {@link io.github.junitkvm.KvmExtension}, the API's face, passes
 * every callback on to ({@code GuestExtension}), reached through the API's
 * {@link io.github.junitkvm.KvmProvider} service ({@link io.github.junitkvm.junit.Provider}), so that
 * the API package depends on nothing here. It finds the effective
 * {@link io.github.junitkvm.KvmGuest} of a test, keeps each test's guest in the test's
 * {@code ExtensionContext.Store} ({@link io.github.junitkvm.junit.TestGuest}), and keeps the run's
 * backends in the launcher session's store ({@link io.github.junitkvm.junit.Backends}), which
 * closes them, with every worker process and {@code /dev/kvm} descriptor, when the run ends.
 */
package io.github.junitkvm.junit;
