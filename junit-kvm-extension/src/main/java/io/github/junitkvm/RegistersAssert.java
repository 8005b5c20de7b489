package io.github.junitkvm;

import java.util.Locale;
import java.util.function.Supplier;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on {@link GeneralRegisters}, from {@code assertThat(registers)} or
 * {@code assertThat(run).registers()}. A failure names the register, shows expected and actual in
 * hex and decimal, then every register — within the summary of the run, for a run's registers.
 */
public class RegistersAssert extends AbstractAssert<RegistersAssert, GeneralRegisters> {
    private final Supplier<String> context;

    /** @param actual the registers under test */
    public RegistersAssert(GeneralRegisters actual) {
        this(actual, () -> "");
    }

    /**
     * @param actual the registers under test
     * @param context a summary of the run the registers come from, which shows them too
     */
    RegistersAssert(GeneralRegisters actual, Supplier<String> context) {
        super(actual, RegistersAssert.class);
        this.context = context;
    }

    /**
     * @param expected the expected value of RAX
     * @return this assertion
     */
    public RegistersAssert hasRax(long expected) {
        return has("RAX", expected, actual.rax());
    }

    /**
     * @param expected the expected value of RBX
     * @return this assertion
     */
    public RegistersAssert hasRbx(long expected) {
        return has("RBX", expected, actual.rbx());
    }

    /**
     * @param expected the expected value of RCX
     * @return this assertion
     */
    public RegistersAssert hasRcx(long expected) {
        return has("RCX", expected, actual.rcx());
    }

    /**
     * @param expected the expected value of RDX
     * @return this assertion
     */
    public RegistersAssert hasRdx(long expected) {
        return has("RDX", expected, actual.rdx());
    }

    /**
     * @param expected the expected value of RSI
     * @return this assertion
     */
    public RegistersAssert hasRsi(long expected) {
        return has("RSI", expected, actual.rsi());
    }

    /**
     * @param expected the expected value of RDI
     * @return this assertion
     */
    public RegistersAssert hasRdi(long expected) {
        return has("RDI", expected, actual.rdi());
    }

    /**
     * @param expected the expected value of RSP
     * @return this assertion
     */
    public RegistersAssert hasRsp(long expected) {
        return has("RSP", expected, actual.rsp());
    }

    /**
     * @param expected the expected value of RBP
     * @return this assertion
     */
    public RegistersAssert hasRbp(long expected) {
        return has("RBP", expected, actual.rbp());
    }

    /**
     * @param expected the expected value of R8
     * @return this assertion
     */
    public RegistersAssert hasR8(long expected) {
        return has("R8", expected, actual.r8());
    }

    /**
     * @param expected the expected value of R9
     * @return this assertion
     */
    public RegistersAssert hasR9(long expected) {
        return has("R9", expected, actual.r9());
    }

    /**
     * @param expected the expected value of R10
     * @return this assertion
     */
    public RegistersAssert hasR10(long expected) {
        return has("R10", expected, actual.r10());
    }

    /**
     * @param expected the expected value of R11
     * @return this assertion
     */
    public RegistersAssert hasR11(long expected) {
        return has("R11", expected, actual.r11());
    }

    /**
     * @param expected the expected value of R12
     * @return this assertion
     */
    public RegistersAssert hasR12(long expected) {
        return has("R12", expected, actual.r12());
    }

    /**
     * @param expected the expected value of R13
     * @return this assertion
     */
    public RegistersAssert hasR13(long expected) {
        return has("R13", expected, actual.r13());
    }

    /**
     * @param expected the expected value of R14
     * @return this assertion
     */
    public RegistersAssert hasR14(long expected) {
        return has("R14", expected, actual.r14());
    }

    /**
     * @param expected the expected value of R15
     * @return this assertion
     */
    public RegistersAssert hasR15(long expected) {
        return has("R15", expected, actual.r15());
    }

    /**
     * @param expected the expected value of RIP
     * @return this assertion
     */
    public RegistersAssert hasRip(long expected) {
        return has("RIP", expected, actual.rip());
    }

    /**
     * @param expected the expected value of RFLAGS
     * @return this assertion
     */
    public RegistersAssert hasRflags(long expected) {
        return has("RFLAGS", expected, actual.rflags());
    }

    private RegistersAssert has(String register, long expected, long value) {
        isNotNull();
        if (value != expected) {
            String run = context.get();
            failWithActualExpectedAndMessage(value, expected, "%nExpecting %s to be%n  %s%nbut was%n  %s%n%s",
                    register, describe(expected), describe(value),
                    run.isEmpty() ? "registers:\n" + actual : run);
        }
        return myself;
    }

    private static String describe(long value) {
        return String.format(Locale.ROOT, "0x%x (%d)", value, value);
    }
}
