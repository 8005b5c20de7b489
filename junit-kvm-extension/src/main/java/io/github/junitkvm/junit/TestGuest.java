package io.github.junitkvm.junit;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.guest.GuestSpec;
import io.github.junitkvm.guest.GuestVm;
import io.github.junitkvm.guest.MachineSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One test's guest, kept in the test's {@code ExtensionContext.Store}: the same VM for the test
 * method and its {@code @BeforeEach}/{@code @AfterEach} methods, created when first asked for, run
 * at most once for a {@link GuestRun} parameter, and closed with the store when the test is over,
 * whatever happened.
 */
public final class TestGuest implements AutoCloseable {
    private final GuestSpec spec;
    private final MachineSource machines;
    private final Consumer<GuestRun> runObserver;
    /** The first run of the VM that ended on a failed guest assertion; set on the running thread. */
    private final AtomicReference<GuestRun> failedGuestAssertion = new AtomicReference<>();
    private GuestVm vm;
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

    /** @return the test's VM, created on first use */
    public synchronized KvmVm vm() {
        if (vm == null) {
            vm = GuestVm.create(machines, spec, this::observe);
        }
        return vm;
    }

    /** @return the result of running the test's VM once, run on first use */
    public synchronized GuestRun run() {
        if (run == null) {
            run = vm().run();
        }
        return run;
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
