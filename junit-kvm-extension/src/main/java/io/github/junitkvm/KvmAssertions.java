package io.github.junitkvm;

import org.assertj.core.api.Assertions;

/**
 * The entry point of junit-kvm's assertions, and of AssertJ's: one
 * {@code import static io.github.junitkvm.KvmAssertions.assertThat;} brings
 * {@code assertThat(GuestRun)}, {@code assertThat(GeneralRegisters)} and every AssertJ overload.
 */
public class KvmAssertions extends Assertions {
    /** For subclasses that add more domain assertions; the methods are static. */
    protected KvmAssertions() {
    }

    /**
     * @param actual a guest run
     * @return assertions on it
     */
    public static GuestRunAssert assertThat(GuestRun actual) {
        return new GuestRunAssert(actual);
    }

    /**
     * @param actual general registers
     * @return assertions on them
     */
    public static RegistersAssert assertThat(GeneralRegisters actual) {
        return new RegistersAssert(actual);
    }
}
