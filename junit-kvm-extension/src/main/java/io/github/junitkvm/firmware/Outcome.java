package io.github.junitkvm.firmware;

/**
 * How a firmware service ended a call: it returned to the guest, or the call cannot be served now
 * (a key the queue does not have yet, a service nobody serves) and the run stops before it
 * returns, so that the next run makes the call again.
 *
 * @param pendingReason why the call is pending, the run's stop reason; null when it returned
 */
record Outcome(String pendingReason) {
    /** The call was served; the guest goes on after it. */
    static final Outcome RETURNED = new Outcome(null);

    /**
     * @param reason why the call cannot be served now
     * @return a call that stops the run and is made again by the next run
     */
    static Outcome pending(String reason) {
        return new Outcome(reason);
    }

    boolean isPending() {
        return pendingReason != null;
    }
}
