/**
 * The backend-neutral guest layer: turns a {@link io.github.junitkvm.KvmGuest} into a validated
 * {@link io.github.junitkvm.guest.GuestSpec}, builds the machine on a
 * {@link io.github.junitkvm.backend.Hypervisor} (RAM, code, CPU mode, registers), serves the
 * built-in devices and the test's handlers, enforces run time limits, records every exit into
 * a {@link io.github.junitkvm.GuestRun}, and calls the guest's functions by their ELF symbols.
 * Device models that interrupt the vCPU implement {@link io.github.junitkvm.guest.InterruptController}
 * and attach to the VM's {@link io.github.junitkvm.guest.InterruptPin}; models of time register an
 * {@link io.github.junitkvm.guest.IdleParticipant} there, told when the guest halts waiting for an
 * interrupt.
 * Written once for every backend; knows neither JUnit nor
 * JNA.
 */
package io.github.junitkvm.guest;
