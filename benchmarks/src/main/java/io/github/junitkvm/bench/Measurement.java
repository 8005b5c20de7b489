package io.github.junitkvm.bench;

/**
 * One row of the results: a series measured on one backend in one environment.
 *
 * @param environment where it ran: {@code host}, or {@code kvm-in-qemu} for the guest of
 *     {@code tools/kvm-in-qemu}
 * @param backend {@code EMULATOR} or {@code KVM}
 * @param series what was measured
 * @param stats the per-round samples, summarised, in the metric's unit
 * @param detail how much one round did, for the reader
 */
public record Measurement(String environment, String backend, Series series, Stats stats, String detail) {
    /** @return environment and backend, the unit within which ratios may be taken */
    public String run() {
        return environment + "/" + backend;
    }
}
