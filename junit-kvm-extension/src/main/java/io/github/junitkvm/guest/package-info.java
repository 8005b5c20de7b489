/**
 * The backend-neutral guest layer: turns a {@link io.github.junitkvm.KvmGuest} into a validated
 * {@link io.github.junitkvm.guest.GuestSpec}, builds the machine on a
 * {@link io.github.junitkvm.backend.Hypervisor} (RAM, code, CPU mode, registers; a Multiboot
 * kernel as a Multiboot loader starts it), serves the built-in devices, the opted-in ones (fw_cfg)
 * and the test's handlers, enforces run time limits, records every exit into
 * a {@link io.github.junitkvm.GuestRun}, and calls the guest's functions by their ELF symbols.
 * Written once for every backend; knows neither JUnit nor
 * JNA.
 */
package io.github.junitkvm.guest;
