/**
 * Tests that run real guests through {@code @KvmGuest} on whichever backend
 * {@code junitkvm.backend} selects: the same classes run on the emulator and on KVM.
 */
package io.github.junitkvm.integration;
