/**
 * The JUnit Jupiter side of {@link io.github.junitkvm.KvmExtension}: finding the effective
 * {@link io.github.junitkvm.KvmGuest} of a test, and the per-test resource in the
 * {@code ExtensionContext.Store} that owns its VM and its run.
 */
package io.github.junitkvm.junit;
