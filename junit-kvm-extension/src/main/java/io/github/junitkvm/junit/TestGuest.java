package io.github.junitkvm.junit;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.guest.GuestSpec;
import io.github.junitkvm.guest.GuestVm;
import io.github.junitkvm.guest.MachineSource;
import java.lang.reflect.Executable;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One test's guest, kept in the test's {@code ExtensionContext.Store}: the same VM for the test
 * method and its {@code @BeforeEach}/{@code @AfterEach} methods, created when first asked for, run
 * at most once for {@link GuestRun} parameters, and closed with the store when the test is over,
 * whatever happened.
 */
public final class TestGuest implements AutoCloseable {
    private final GuestSpec spec;
    private final MachineSource machines;
    private final Consumer<GuestRun> runObserver;
    /** The first run of the VM that ended on a failed guest assertion; set on the running thread. */
    private final AtomicReference<GuestRun> failedGuestAssertion = new AtomicReference<>();
    /** The one {@link GuestRun} every parameter gets. */
    private final GuestRun injectedRun = new InjectedRun(this);
    /** The methods that got the VM as a {@code KvmVm} parameter, each of which may write code into it. */
    private final Set<Executable> vmParameterHolders = new HashSet<>();
    private GuestVm vm;
    /**
     * Guards {@link #run} only, so that {@link #close()} can stop a run in progress on another
     * thread (as when JUnit's {@code @Timeout} gives up on a method run in a thread of its own).
     */
    private final Object runLock = new Object();
    private GuestRun run;

    /**
     * @param spec the validated guest description
     * @param machines where its VM's machine comes from and goes back to
     * @param runObserver told of every run of the VM, the test's own runs included
     */
    public TestGuest(GuestSpec spec, MachineSource machines, Consumer<GuestRun> runObserver) {
        this.spec = spec;
        this.machines = machines;
        this.runObserver = runObserver;
    }

    private synchronized GuestVm vm() {
        if (vm == null) {
            vm = GuestVm.create(machines, spec, this::observe);
        }
        return vm;
    }

    /**
     * @param method the method with the {@code KvmVm} parameter
     * @return the test's VM, created on first use
     */
    public synchronized KvmVm vmParameter(Executable method) {
        vmParameterHolders.add(method);
        return vm();
    }

    /**
     * Creates the VM, but does not run it yet: the run is made on the first call of {@link #run()},
     * which {@code KvmExtension} makes inside JUnit's timeout of the method, just before its body.
     *
     * @param method the method with the {@code GuestRun} parameter
     * @return the run the parameter gets
     * @throws KvmGuestConfigurationException if the guest has no code to run and no method that ran
     *     before this one, so none that could have written code, got the VM as a {@code KvmVm}
     */
    public synchronized GuestRun runParameter(Executable method) {
        boolean codeMayBeWritten = vmParameterHolders.stream().anyMatch(holder -> !holder.equals(method));
        if (!spec.hasCode() && !codeMayBeWritten) {
            throw new KvmGuestConfigurationException("@KvmGuest(code, resource, asm): no code to run: none of them"
                    + " gives any bytes, and a GuestRun parameter runs the guest before the method's body; set one,"
                    + " or declare a KvmVm parameter and write the code yourself (in a @BeforeEach method, for a"
                    + " GuestRun parameter of the test)");
        }
        vm();
        return injectedRun;
    }

    /**
     * Makes the run now, unless it is made already, if a method is about to get it.
     *
     * @param arguments a method's arguments
     */
    public void runIfInjectedInto(List<Object> arguments) {
        if (arguments.stream().anyMatch(argument -> argument == injectedRun)) {
            run();
        }
    }

    /** @return the result of running the test's VM once, run on first use */
    public GuestRun run() {
        synchronized (runLock) {
            if (run == null) {
                run = vm().run();
            }
            return run;
        }
    }

    /**
     * @return the first run of the test's VM, so far, that ended on a failed guest assertion (the
     *     run a {@code GuestRun} parameter got, or one the test made)
     */
    public Optional<GuestRun> firstFailedGuestAssertion() {
        return Optional.ofNullable(failedGuestAssertion.get());
    }

    private void observe(GuestRun finished) {
        if (finished.guestAssertionFailure().isPresent()) {
            failedGuestAssertion.compareAndSet(null, finished);
        }
        runObserver.accept(finished);
    }

    /** Closes the VM, if one was created. */
    @Override
    public synchronized void close() {
        if (vm != null) {
            vm.close();
        }
    }
}
