package io.github.junitkvm.junit;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestAssertion;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestVcpu;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@link GuestRun} a parameter gets: the test's one run ({@link TestGuest#run()}), made when
 * it is first needed rather than when the parameter is resolved. JUnit resolves a method's
 * parameters before any {@code InvocationInterceptor} wraps its invocation, {@code @Timeout}'s
 * included, so a run made then would escape the method's timeout; {@code KvmExtension} makes it
 * from inside its own interceptor instead, just before the method's body.
 */
final class InjectedRun implements GuestRun {
    private final TestGuest guest;

    /** @param guest the test's guest, whose run this is */
    InjectedRun(TestGuest guest) {
        this.guest = guest;
    }

    private GuestRun run() {
        return guest.run();
    }

    @Override
    public List<VmExit> exits() {
        return run().exits();
    }

    @Override
    public VmExit lastExit() {
        return run().lastExit();
    }

    @Override
    public String serialOutput() {
        return run().serialOutput();
    }

    @Override
    public String screenOutput() {
        return run().screenOutput();
    }

    @Override
    public byte[] portOutput(int port) {
        return run().portOutput(port);
    }

    @Override
    public long droppedExits() {
        return run().droppedExits();
    }

    @Override
    public long droppedOutputBytes(int port) {
        return run().droppedOutputBytes(port);
    }

    @Override
    public long droppedGuestLogLines() {
        return run().droppedGuestLogLines();
    }

    @Override
    public GeneralRegisters registers() {
        return run().registers();
    }

    @Override
    public SpecialRegisters specialRegisters() {
        return run().specialRegisters();
    }

    @Override
    public GuestMemory memory() {
        return run().memory();
    }

    @Override
    public OptionalInt exitCode() {
        return run().exitCode();
    }

    @Override
    public Duration duration() {
        return run().duration();
    }

    @Override
    public Backend backend() {
        return run().backend();
    }

    @Override
    public CpuMode mode() {
        return run().mode();
    }

    @Override
    public List<String> guestLog() {
        return run().guestLog();
    }

    @Override
    public boolean guestReportedDone() {
        return run().guestReportedDone();
    }

    @Override
    public Optional<GuestAssertion> guestAssertionFailure() {
        return run().guestAssertionFailure();
    }

    @Override
    public Optional<InstructionTrace> trace() {
        return run().trace();
    }

    @Override
    public int vcpuCount() {
        return run().vcpuCount();
    }

    @Override
    public GuestVcpu vcpu(int index) {
        return run().vcpu(index);
    }

    @Override
    public String toString() {
        return run().toString();
    }
}
