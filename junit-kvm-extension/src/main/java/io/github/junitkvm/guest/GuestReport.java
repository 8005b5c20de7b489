package io.github.junitkvm.guest;

import io.github.junitkvm.GuestAssertion;

/** What one report of the guest library said; {@link GuestReportReader} reads it. */
sealed interface GuestReport {
    /**
     * {@code KVM_LOG}: the run goes on.
     *
     * @param line the formatted line
     */
    record Log(String line) implements GuestReport {
    }

    /** {@code KVM_DONE}: the run ends. */
    record Done() implements GuestReport {
    }

    /**
     * A failed assertion, or a report the host could not read: the run ends and the test fails.
     *
     * @param assertion what failed
     */
    record Failure(GuestAssertion assertion) implements GuestReport {
    }
}
