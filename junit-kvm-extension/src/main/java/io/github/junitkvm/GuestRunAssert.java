package io.github.junitkvm;

import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractByteArrayAssert;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;
import org.assertj.core.api.ObjectAssert;

/**
 * Assertions on a {@link GuestRun}, from {@code assertThat(run)}. Every failure, including those
 * of the assertions this one leads to ({@link #exits()}, {@link #serialOutput()}, …), shows what
 * was expected, what was found, and a report of the run: how it stopped, its last exits, the
 * serial output, the registers, the CPU mode, the code at RIP disassembled and, for a traced
 * guest, the last instructions it executed. The report is built only when an assertion fails.
 */
public class GuestRunAssert extends AbstractAssert<GuestRunAssert, GuestRun> {

    /** @param actual the run under test */
    public GuestRunAssert(GuestRun actual) {
        super(actual, GuestRunAssert.class);
    }

    /**
     * @param expected the whole serial output expected
     * @return this assertion
     */
    public GuestRunAssert hasSerialOutput(String expected) {
        isNotNull();
        String output = actual.serialOutput();
        if (!output.equals(expected)) {
            failWithActualExpectedAndMessage(output, expected,
                    "%nExpecting serial output (COM1)%n  \"%s\"%nbut was%n  \"%s\"%n%s",
                    GuestText.literal(expected), GuestText.literal(output), summary());
        }
        return myself;
    }

    /**
     * @return a string assertion on the serial output (COM1), whose failure messages show it with
     *     its control characters escaped
     */
    public AbstractStringAssert<?> serialOutput() {
        isNotNull();
        return Assertions.assertThat(actual.serialOutput()).withRepresentation(GuestTextRepresentation.INSTANCE)
                .as(() -> "serial output (COM1) of " + summary());
    }

    /**
     * @param port an I/O port
     * @return a byte-array assertion on every byte written to it, whose failures show bytes in hex
     *     ({@code 0xB0}), as the rest of the report does
     */
    public AbstractByteArrayAssert<?> portOutput(int port) {
        isNotNull();
        return Assertions.assertThat(actual.portOutput(port)).inHexadecimal()
                .as(() -> String.format("bytes written to port 0x%x in %s", port, summary()));
    }

    /** @return a list assertion on every exit, in order */
    public ListAssert<VmExit> exits() {
        isNotNull();
        return Assertions.assertThat(actual.exits()).as(() -> "exits of " + summary());
    }

    /** @return an assertion on the exit that stopped the run */
    public ObjectAssert<VmExit> lastExit() {
        isNotNull();
        return Assertions.assertThat(actual.lastExit()).as(() -> "last exit of " + summary());
    }

    /**
     * Checks that the guest stopped on {@code HLT}.
     *
     * @return this assertion
     */
    public GuestRunAssert haltedNormally() {
        return stoppedWith(ExitReason.HLT);
    }

    /**
     * @param reason the reason of the exit expected to stop the run
     * @return this assertion
     */
    public GuestRunAssert stoppedWith(ExitReason reason) {
        isNotNull();
        VmExit last = actual.lastExit();
        if (last.reason() != reason) {
            failWithActualExpectedAndMessage(last.reason(), reason,
                    "%nExpecting the guest to stop with%n  %s%nbut it stopped with%n  %s%n%s",
                    reason, last, summary());
        }
        return myself;
    }

    /**
     * Checks that the guest wrote the code to the debug-exit port ({@code 0xf4}) and stopped there.
     *
     * @param code the expected exit code
     * @return this assertion
     */
    public GuestRunAssert hasExitCode(int code) {
        isNotNull();
        if (actual.exitCode().isEmpty() || actual.exitCode().getAsInt() != code) {
            failWithMessage("%nExpecting the guest to leave through the debug-exit port with code%n  %d%n"
                    + "but it stopped with%n  %s%n%s", code, actual.lastExit(), summary());
        }
        return myself;
    }

    /**
     * Checks that the guest left through the debug-exit port with the value that QEMU's
     * {@code isa-debug-exit} turns into this exit status, {@code (v << 1) | 1}
     * ({@link GuestRun#exitStatus()}).
     *
     * @param status the expected status, odd
     * @return this assertion
     */
    public GuestRunAssert hasExitStatus(int status) {
        isNotNull();
        if (actual.exitStatus().isEmpty() || actual.exitStatus().getAsInt() != status) {
            failWithMessage("%nExpecting the guest to leave through the debug-exit port with the isa-debug-exit"
                    + " status%n  %d (a write of %d)%nbut it stopped with%n  %s%s%n%s", status, status >> 1,
                    actual.lastExit(), actual.exitStatus().isPresent()
                            ? " (status " + actual.exitStatus().getAsInt() + ")" : "", summary());
        }
        return myself;
    }

    /** @return assertions on the general registers at the stop */
    public RegistersAssert registers() {
        isNotNull();
        return new RegistersAssert(actual.registers(), this::summary);
    }

    /**
     * @param address guest physical address of the first byte
     * @param length how many bytes
     * @return a byte-array assertion on guest memory there, as at the stop, whose failures show bytes
     *     in hex ({@code 0xB0}), as the rest of the report does
     */
    public AbstractByteArrayAssert<?> memoryAt(long address, int length) {
        isNotNull();
        return Assertions.assertThat(actual.memory().read(address, length)).inHexadecimal()
                .as(() -> String.format("guest memory at 0x%x (%d bytes) of %s", address, length, summary()));
    }

    /**
     * Checks that the guest reported {@code KVM_DONE} ({@link GuestLibrary}), which ended the run.
     *
     * @return this assertion
     */
    public GuestRunAssert reportedDone() {
        isNotNull();
        if (!actual.guestReportedDone()) {
            failWithMessage("%nExpecting the guest to report KVM_DONE%nbut it stopped with%n  %s%n%s",
                    actual.lastExit(), summary());
        }
        return myself;
    }

    /**
     * @return a list assertion on the lines the guest logged with {@code KVM_LOG}, in order, whose
     *     failure messages show them with their control characters escaped
     */
    public ListAssert<String> guestLog() {
        isNotNull();
        return Assertions.assertThat(actual.guestLog()).withRepresentation(GuestTextRepresentation.INSTANCE)
                .as(() -> "guest log of " + summary());
    }

    /** Formatting a run takes longer than checking it: descriptions ask for it only when shown. */
    private String summary() {
        return LoadedProvider.INSTANCE.describe(actual);
    }
}
