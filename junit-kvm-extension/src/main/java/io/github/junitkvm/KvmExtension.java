package io.github.junitkvm;

import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.guest.GuestSpec;
import io.github.junitkvm.guest.GuestSpecReader;
import io.github.junitkvm.guest.MachinePool;
import io.github.junitkvm.guest.MachineSource;
import io.github.junitkvm.guest.RunDigest;
import io.github.junitkvm.junit.Backends;
import io.github.junitkvm.junit.EffectiveGuest;
import io.github.junitkvm.junit.GuestAssertionFailure;
import io.github.junitkvm.junit.TestGuest;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.AssertionFailedError;

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
 * test instead of a new one; the machines are owned by one {@code MachinePool} per test run.
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
     * chooses the library (see the README).
     */
    public static final String UNICORN_REPORT_KEY = "junitkvm.unicorn";

    /**
     * The configuration parameter that, set to {@code true}, makes every run publish a report entry
     * {@link #RUN_REPORT_KEY} describing it in one line ({@link RunDigest}): how it stopped, the
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

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KvmExtension.class);

    /** Creates the extension; JUnit does, through {@link KvmGuest}'s {@code @ExtendWith}. */
    public KvmExtension() {
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (EffectiveGuest.of(context).isEmpty()) {
            return ConditionEvaluationResult.enabled("no @KvmGuest here");
        }
        return Backends.of(context).whyNoBackend(context)
                .map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("a backend is available"));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<KvmGuest> guest = EffectiveGuest.of(context);
        if (guest.isPresent()) {
            GuestSpec spec = new GuestSpecReader(context.getRequiredTestClass().getClassLoader()).read(guest.get());
            Hypervisor hypervisor = Backends.of(context).select(context);
            Consumer<GuestRun> runReporter = reportsRuns(context)
                    ? run -> context.publishReportEntry(RUN_REPORT_KEY, RunDigest.of(run))
                    : run -> { };
            context.getStore(NAMESPACE).put(TestGuest.class,
                    new TestGuest(spec, machineSource(context, hypervisor), runReporter));
            context.publishReportEntry(BACKEND_REPORT_KEY, hypervisor.backend().name());
            hypervisor.libraryDescription().ifPresent(library -> context.publishReportEntry(UNICORN_REPORT_KEY, library));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KvmVm.class || type == GuestRun.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestGuest guest = context.getStore(NAMESPACE).get(TestGuest.class, TestGuest.class);
        if (guest == null) {
            throw new ParameterResolutionException(String.format(
                    "%s cannot be injected into %s: a guest exists only for a test with @KvmGuest, in the "
                            + "test method and its @BeforeEach and @AfterEach methods",
                    parameter.getParameter().getType().getSimpleName(), parameter.getDeclaringExecutable()));
        }
        Executable method = parameter.getDeclaringExecutable();
        try {
            return parameter.getParameter().getType() == KvmVm.class
                    ? guest.vmParameter(method) : guest.runParameter(method);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation,
                                          ReflectiveInvocationContext<Method> invocationContext,
                                          ExtensionContext context) throws Throwable {
        runForGuestRunParameters(invocationContext, context);
        invocation.proceed();
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        proceedUnlessTheGuestFailed(invocation, invocationContext, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext context) throws Throwable {
        proceedUnlessTheGuestFailed(invocation, invocationContext, context);
    }

    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation,
                                            ReflectiveInvocationContext<Method> invocationContext,
                                            ExtensionContext context) throws Throwable {
        runForGuestRunParameters(invocationContext, context);
        return invocation.proceed();
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation,
                                         ReflectiveInvocationContext<Method> invocationContext,
                                         ExtensionContext context) throws Throwable {
        runForGuestRunParameters(invocationContext, context);
        invocation.proceed();
    }

    /**
     * Makes the run of a method's {@code GuestRun} parameter, if it has one and the run is not made
     * yet. Here, not when the parameter is resolved: JUnit resolves parameters before it calls any
     * interceptor, and its {@code @Timeout} (a built-in extension, whose interceptor wraps this
     * one) limits only what happens inside its interceptor; so the method's timeout, however it is
     * configured, bounds the guest's run too.
     */
    private static void runForGuestRunParameters(ReflectiveInvocationContext<Method> invocationContext,
                                                 ExtensionContext context) {
        TestGuest guest = context.getStore(NAMESPACE).get(TestGuest.class, TestGuest.class);
        if (guest != null) {
            guest.runIfInjectedInto(invocationContext.getArguments());
        }
    }

    private static void proceedUnlessTheGuestFailed(Invocation<Void> invocation,
                                                    ReflectiveInvocationContext<Method> invocationContext,
                                                    ExtensionContext context) throws Throwable {
        TestGuest guest = context.getStore(NAMESPACE).get(TestGuest.class, TestGuest.class);
        if (guest == null) {
            invocation.proceed();
            return;
        }
        runForGuestRunParameters(invocationContext, context);
        Optional<GuestRun> failedBefore = guest.firstFailedGuestAssertion();
        if (failedBefore.isPresent()) {
            invocation.skip();
            throw GuestAssertionFailure.of(failedBefore.get());
        }
        try {
            invocation.proceed();
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable bodyFailure) {
            Optional<GuestRun> failed = guest.firstFailedGuestAssertion();
            if (failed.isEmpty()) {
                throw bodyFailure;
            }
            AssertionFailedError guestFailure = GuestAssertionFailure.of(failed.get());
            guestFailure.addSuppressed(bodyFailure);
            throw guestFailure;
        }
        Optional<GuestRun> failed = guest.firstFailedGuestAssertion();
        if (failed.isPresent()) {
            throw GuestAssertionFailure.of(failed.get());
        }
    }

    /**
     * The pool lives in the root context's store: one per test run, shared by all test classes,
     * and closed (with every parked machine) when the run ends.
     */
    private static MachineSource machineSource(ExtensionContext context, Hypervisor hypervisor) {
        if (!flag(context, REUSE_VMS_PARAMETER)) {
            return MachineSource.fresh(hypervisor);
        }
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(MachinePool.class, type -> new MachinePool(), MachinePool.class)
                .on(hypervisor, reused -> context.publishReportEntry(VM_REPORT_KEY, reused ? "reused" : "new"));
    }

    private static boolean reportsRuns(ExtensionContext context) {
        return flag(context, REPORT_RUNS_PARAMETER);
    }

    /**
     * @return the on/off configuration parameter's value, off when it is not set
     * @throws KvmGuestConfigurationException if it is set to anything but {@code true} or {@code false}
     *     (in any case, blanks around ignored): a misspelt switch must not be silently off
     */
    private static boolean flag(ExtensionContext context, String parameter) {
        Optional<String> setting = context.getConfigurationParameter(parameter);
        return switch (setting.map(value -> value.trim().toLowerCase(Locale.ROOT)).orElse("false")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new KvmGuestConfigurationException(String.format(
                    "%s=%s is neither true nor false", parameter, setting.orElseThrow()));
        };
    }
}
