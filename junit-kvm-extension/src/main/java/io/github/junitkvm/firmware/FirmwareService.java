package io.github.junitkvm.firmware;

/** Serves the calls of one interrupt vector, on the registers and memory of the call. */
@FunctionalInterface
interface FirmwareService {
    /**
     * @param call the call, whose registers the service reads and changes
     * @return whether the call returned or is pending
     */
    Outcome serve(InterruptCall call);
}
