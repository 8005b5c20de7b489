/**
 * The one small interface between the backend-neutral guest layer and a hypervisor: create a
 * machine with RAM regions, read and write its memory and registers, run the vCPU until it stops,
 * close it. {@code io.github.junitkvm.kvm} and {@code io.github.junitkvm.emulator} implement it;
 * everything that is not about the hypervisor itself (CPU-mode set-up, devices, the exit log,
 * timeouts) lives above it, written once.
 */
package io.github.junitkvm.backend;
