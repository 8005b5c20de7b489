package io.github.junitkvm.guest;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestAssertion;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestVcpu;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.backend.MachineConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** The {@link GuestRun} of the public API: what one run recorded, immutable but for memory. */
final class RecordedRun implements GuestRun {
    private final List<VmExit> exits;
    private final Map<Integer, byte[]> portOutput;
    private final byte[] serialOutput;
    private final byte[] screenOutput;
    private final long droppedExits;
    private final Map<Integer, Long> droppedOutput;
    private final GuestMemory memory;
    private final Duration duration;
    private final Backend backend;
    private final CpuMode mode;
    private final List<String> guestLog;
    private final long droppedGuestLogLines;
    private final Optional<GuestAssertion> guestAssertionFailure;
    private final Optional<InstructionTrace> trace;
    private final List<GuestVcpu> vcpus;

    RecordedRun(ExitRecorder recorder, List<GuestVcpu> vcpus, GuestMemory memory, Duration duration,
                Backend backend, CpuMode mode, Optional<InstructionTrace> trace) {
        this.vcpus = List.copyOf(vcpus);
        this.exits = recorder.exits();
        this.portOutput = recorder.portOutput();
        this.serialOutput = recorder.serialOutput();
        this.screenOutput = recorder.screenOutput();
        this.droppedExits = recorder.droppedExits();
        this.droppedOutput = recorder.droppedOutput();
        this.memory = memory;
        this.duration = duration;
        this.backend = backend;
        this.mode = mode;
        this.guestLog = recorder.guestLog();
        this.droppedGuestLogLines = recorder.droppedGuestLogLines();
        this.guestAssertionFailure = recorder.guestAssertionFailure();
        this.trace = trace;
    }

    @Override
    public int vcpuCount() {
        return vcpus.size();
    }

    @Override
    public GuestVcpu vcpu(int index) {
        return vcpus.get(MachineConfig.vcpu(index, vcpus.size()));
    }

    @Override
    public List<VmExit> exits() {
        return exits;
    }

    @Override
    public VmExit lastExit() {
        return exits.get(exits.size() - 1);
    }

    @Override
    public String serialOutput() {
        return new String(serialOutput, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String screenOutput() {
        return new String(screenOutput, StandardCharsets.ISO_8859_1);
    }

    @Override
    public byte[] portOutput(int port) {
        byte[] bytes = portOutput.get(Devices.checkPort(port));
        return bytes == null ? new byte[0] : bytes.clone();
    }

    @Override
    public long droppedExits() {
        return droppedExits;
    }

    @Override
    public long droppedOutputBytes(int port) {
        return droppedOutput.getOrDefault(Devices.checkPort(port), 0L);
    }

    @Override
    public GeneralRegisters registers() {
        return vcpus.get(0).registers();
    }

    @Override
    public SpecialRegisters specialRegisters() {
        return vcpus.get(0).specialRegisters();
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public OptionalInt exitCode() {
        VmExit last = lastExit();
        return last.reason() == ExitReason.DEBUG_EXIT ? OptionalInt.of((int) last.value()) : OptionalInt.empty();
    }

    @Override
    public Duration duration() {
        return duration;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public CpuMode mode() {
        return mode;
    }

    @Override
    public List<String> guestLog() {
        return guestLog;
    }

    @Override
    public long droppedGuestLogLines() {
        return droppedGuestLogLines;
    }

    @Override
    public boolean guestReportedDone() {
        return lastExit().reason() == ExitReason.GUEST_DONE;
    }

    @Override
    public Optional<GuestAssertion> guestAssertionFailure() {
        return guestAssertionFailure;
    }

    @Override
    public Optional<InstructionTrace> trace() {
        return trace;
    }

    /** @return a summary for failure messages: how it stopped, the last exits, the registers */
    @Override
    public String toString() {
        return RunSummary.of(this);
    }
}
