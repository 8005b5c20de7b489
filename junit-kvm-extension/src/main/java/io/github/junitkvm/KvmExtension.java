package io.github.junitkvm;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * The JUnit Jupiter extension behind {@link KvmGuest}, which registers it: checks the effective
 * annotation before each test (a bad one fails the test), injects {@link KvmVm} and
 * {@link GuestRun} parameters into the test method and its {@code @BeforeEach}/{@code @AfterEach}
 * methods (one VM per test, closed after it), and skips tests with the reason when
 * {@code junitkvm.backend=auto} finds no backend on this machine. Each test's report says which
 * backend ran it (see {@link #BACKEND_REPORT_KEY}).
 *
 * <p>The run for a {@link GuestRun} parameter is made by this extension's interceptor of the
 * method, just before its body, not when the parameter is resolved: so JUnit's timeout of the
 * method (whose interceptor wraps this one) bounds it, as it bounds a run the body makes.
 *
 * <p>A failed guest assertion ({@link GuestLibrary}) fails the test with an
 * {@link org.opentest4j.AssertionFailedError} saying where, what and with which values, followed by
 * the run's summary and guest log. A run for a {@link GuestRun} parameter, or one made in a
 * {@code @BeforeEach} method, fails the test before its body runs; a run the test body makes
 * through {@link KvmVm#run()} fails it once the body returns, or throws — the guest's failure
 * then comes first, with the body's exception added as suppressed, since the guest stopping there
 * is usually why the body failed. The first such run of the test counts.
 *
 * <p>With {@link #REUSE_VMS_PARAMETER} on, a test's VM may get the reset machine of an earlier
 * test instead of a new one; the parked machines are closed when the test run ends. So are the
 * backends the run opened: the emulator's worker processes end and {@code /dev/kvm} is closed
 * when JUnit's launcher session ends.
 *
 * <p>This class is the extension's public face, which {@link KvmGuest} names: each callback is
 * passed on to the implementation in {@code io.github.junitkvm.junit}, which this package reaches
 * through {@link KvmProvider} without depending on it.
 */
public class KvmExtension implements ExecutionCondition, BeforeEachCallback, ParameterResolver, InvocationInterceptor {
    /**
     * The key of the report entry each test with a guest publishes, whose value is the backend its
     * guest runs on ({@code KVM} or {@code EMULATOR}): reports show where every test ran.
     */
    public static final String BACKEND_REPORT_KEY = "junitkvm.backend";

    /**
     * The key of the report entry each test whose guest runs on the emulator publishes, whose value
     * is the version and file of the Unicorn library that runs it: for example
     * {@code 2.1.4 /home/me/.local/lib/python3.11/site-packages/unicorn/lib/libunicorn.so.2}, or
     * {@code 2.0.1 (the system's libunicorn.so.2)}. The configuration parameter of the same name
     * chooses the library (see the guide, docs/backends.md).
     */
    public static final String UNICORN_REPORT_KEY = "junitkvm.unicorn";

    /**
     * The configuration parameter that, set to {@code true}, makes every run publish a report entry
     * {@link #RUN_REPORT_KEY} describing it in one line: how it stopped, the
     * serial output, the exits, the registers. Off by default, to keep reports small.
     */
    public static final String REPORT_RUNS_PARAMETER = "junitkvm.report.runs";

    /**
     * The configuration parameter that, set to {@code true}, reuses machines across tests: a test's
     * machine whose runs all ended cleanly is reset to its new state ({@code VirtualMachine.reset})
     * and given to a later test with the same RAM, CPU mode and trace length, instead of being
     * closed. Off by default, so that no one's results change unasked; the parked machines are
     * closed when the test run ends.
     */
    public static final String REUSE_VMS_PARAMETER = "junitkvm.reuseVms";

    /**
     * The key of the report entry each test publishes when {@link #REUSE_VMS_PARAMETER} is on and
     * it creates its VM: {@code reused} if the VM got a reset machine of an earlier test,
     * {@code new} if not.
     */
    public static final String VM_REPORT_KEY = "junitkvm.vm";

    /** The key of the report entry {@link #REPORT_RUNS_PARAMETER} asks for. */
    public static final String RUN_REPORT_KEY = "junitkvm.run";

    private final KvmProvider.ExtensionCallbacks implementation = LoadedProvider.INSTANCE.extension();

    /** Creates the extension; JUnit does, through {@link KvmGuest}'s {@code @ExtendWith}. */
    public KvmExtension() {
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return implementation.evaluateExecutionCondition(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        implementation.beforeEach(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return implementation.supportsParameter(parameter, context);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return implementation.resolveParameter(parameter, context);
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation,
                                          ReflectiveInvocationContext<Method> invocationContext,
                                          ExtensionContext context) throws Throwable {
        implementation.interceptBeforeEachMethod(invocation, invocationContext, context);
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        implementation.interceptTestMethod(invocation, invocationContext, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext context) throws Throwable {
        implementation.interceptTestTemplateMethod(invocation, invocationContext, context);
    }

    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext context) throws Throwable {
        return implementation.interceptTestFactoryMethod(invocation, invocationContext, context);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation,
                                         ReflectiveInvocationContext<Method> invocationContext,
                                         ExtensionContext context) throws Throwable {
        implementation.interceptAfterEachMethod(invocation, invocationContext, context);
    }
}
