package io.github.junitkvm.junit;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmExtension;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.KvmProvider;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.guest.GuestSpec;
import io.github.junitkvm.guest.GuestSpecReader;
import io.github.junitkvm.guest.MachinePool;
import io.github.junitkvm.guest.MachineSource;
import io.github.junitkvm.guest.RunDigest;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.AssertionFailedError;

/**
 * What {@link KvmExtension} does, behind its callbacks: it checks the effective {@link KvmGuest}
 * before each test (a bad one fails the test), opens the test's backend from the run's
 * {@link Backends}, keeps the test's {@link TestGuest} in the test's store, injects {@link KvmVm} and
 * {@link GuestRun} parameters, makes the run of a {@code GuestRun} parameter inside JUnit's timeout
 * of the method, and turns a failed guest assertion into the test's failure. Stateless: everything
 * it keeps is in JUnit's stores.
 */
final class GuestExtension implements KvmProvider.ExtensionCallbacks {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(GuestExtension.class);

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
                    ? run -> context.publishReportEntry(KvmExtension.RUN_REPORT_KEY, RunDigest.of(run))
                    : run -> { };
            context.getStore(NAMESPACE).put(TestGuest.class,
                    new TestGuest(spec, machineSource(context, hypervisor), runReporter));
            context.publishReportEntry(KvmExtension.BACKEND_REPORT_KEY, hypervisor.backend().name());
            hypervisor.libraryDescription()
                    .ifPresent(library -> context.publishReportEntry(KvmExtension.UNICORN_REPORT_KEY, library));
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
        if (!flag(context, KvmExtension.REUSE_VMS_PARAMETER)) {
            return MachineSource.fresh(hypervisor);
        }
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(MachinePool.class, type -> new MachinePool(), MachinePool.class)
                .on(hypervisor, reused -> context.publishReportEntry(KvmExtension.VM_REPORT_KEY, reused ? "reused" : "new"));
    }

    private static boolean reportsRuns(ExtensionContext context) {
        return flag(context, KvmExtension.REPORT_RUNS_PARAMETER);
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
