package io.github.junitkvm.guest;

import io.github.junitkvm.Backend;
import io.github.junitkvm.Bios;
import io.github.junitkvm.CallResult;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Device;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.Firmware;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestArena;
import io.github.junitkvm.GuestClock;
import io.github.junitkvm.GuestFunction;
import io.github.junitkvm.GuestLibrary;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.GuestSymbol;
import io.github.junitkvm.GuestText;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.InterruptHandler;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.MmioHandler;
import io.github.junitkvm.MsrReadHandler;
import io.github.junitkvm.MsrWriteHandler;
import io.github.junitkvm.PortInHandler;
import io.github.junitkvm.PortOutHandler;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.TraceRecorder;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.chipset.ProcessorSignals;
import io.github.junitkvm.firmware.FirmwareRom;
import io.github.junitkvm.firmware.InterruptTraps;
import io.github.junitkvm.firmware.PcBios;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The {@link KvmVm} of the public API, on any backend: owns one {@link VirtualMachine} from a
 * {@link MachineSource}, loads the guest into it, turns each run into a {@link RecordedRun}, and
 * hands the machine back on {@link #close()}, reusable only if every run of it ended cleanly.
 */
public final class GuestVm implements KvmVm {
    private static final int FIRST_EXTERNAL_VECTOR = 32;
    private static final int LAST_VECTOR = 255;
    private static final long RFLAGS_IF = 1 << 9;
    private final VirtualMachine machine;
    private final MachineSource source;
    private final MachineConfig config;
    private final Backend backend;
    private final GuestSpec spec;
    private final RamLayout layout;
    private final Devices devices = new Devices();
    /** Each vCPU's INTR pin, by index, which the interrupt controllers drive. */
    private final List<InterruptPin> interruptPins;
    /** The interrupts the test raised, the first controller on vCPU 0's pin. */
    private final QueuedInterrupts raisedInterrupts = new QueuedInterrupts();
    /** The modelled interrupt controllers and timers, and the virtual clock; the second controller. */
    private final ChipsetWiring chipset;
    /** The memory as the VM itself reads and writes it, also during a run (guest library reports). */
    private final GuestMemory memory;
    /** The memory as {@link #memory()} gives it to the test: not for another thread during a run. */
    private final GuestMemory testMemory;
    private final GuestReportReader reports;
    private final GuestCalls calls;
    private final Consumer<GuestRun> runObserver;
    /** Guards {@link #closed} and {@link #running}, so that a machine is never released mid-run. */
    private final Object lifecycle = new Object();
    private boolean closed;
    private boolean running;
    /** The thread running the VM, whose handlers run on it; null between runs. */
    private volatile Thread runner;
    /** The watch of the run in progress, told when the VM is closed under it; null between runs. */
    private RunWatchdog.Watch runWatch;
    /**
     * Whether every run so far stopped the way a guest stops by itself (HLT, a stop port, a guest
     * library report) with no handler failure; a machine stopped otherwise (a time limit, a fault,
     * a dead worker) is not reused, only closed.
     */
    private boolean cleanSoFar = true;
    /** Counts runs, so that a run's memory view can tell it is no longer current. */
    private volatile int generation;
    /** Why the test stopped the run in progress ({@link #stopRun}); null if it did not. */
    private volatile String stopReason;
    /** The firmware's interrupt services; null without firmware. */
    private InterruptTraps firmware;
    /** The BIOS; null unless the guest's firmware is one. */
    private PcBios bios;
    /** The recorder of the run in progress, which keeps what the guest prints through the BIOS. */
    private ExitRecorder runRecorder;
    /** The vCPU whose exit the handlers now handle; only read on the run's thread. */
    private int handlerVcpu;
    /** Which vCPUs have started; an AP without {@code apEntry} waits for {@link #startVcpu}. */
    private final boolean[] started;
    /** The system registers of an AP that waits for its start, as after INIT; null with apEntry. */
    private SpecialRegisters apResetState;
    /** The vCPUs of the run in progress, which a start joins; null between runs. */
    private VcpuRun runVcpus;

    private GuestVm(VirtualMachine machine, MachineSource source, MachineConfig config, GuestSpec spec,
                    Consumer<GuestRun> runObserver) {
        this.machine = machine;
        this.source = source;
        this.config = config;
        this.backend = source.backend();
        this.spec = spec;
        this.runObserver = runObserver;
        this.layout = new RamLayout(spec.ram());
        this.memory = new RamView(machine, layout, this::ensureOpen);
        this.testMemory = new RamView(machine, layout, () -> ensureUsable("KvmVm.memory()"));
        this.reports = new GuestReportReader(memory);
        this.calls = new GuestCalls(this, spec, layout);
        this.interruptPins = IntStream.range(0, spec.vcpus().count())
                .mapToObj(vcpu -> new InterruptPin(machine, vcpu)).toList();
        raisedInterrupts.wireTo(interruptPins.get(0));
        this.started = new boolean[spec.vcpus().count()];
        Arrays.fill(started, spec.vcpus().apEntry() != -1);
        started[0] = true;
        this.chipset = new ChipsetWiring(spec.devices().enabled(), interruptPins, new StartUpIpis(),
                this::currentVcpu, () -> ensureUsable("KvmVm.clock()"));
        devices.chipset(chipset);
    }

    /**
     * Creates the machine, loads the code, sets the CPU mode and the registers.
     *
     * @param hypervisor where the machine is created
     * @param spec what the guest is
     * @return the VM, not yet run; the caller owns it
     */
    public static GuestVm create(Hypervisor hypervisor, GuestSpec spec) {
        return create(hypervisor, spec, run -> { });
    }

    /**
     * Creates the machine, loads the code, sets the CPU mode and the registers.
     *
     * @param hypervisor where the machine is created
     * @param spec what the guest is
     * @param runObserver told of every run of the VM, when it has stopped
     * @return the VM, not yet run; the caller owns it
     */
    public static GuestVm create(Hypervisor hypervisor, GuestSpec spec, Consumer<GuestRun> runObserver) {
        return create(MachineSource.fresh(hypervisor), spec, runObserver);
    }

    /**
     * Gets a machine in its new state from the source, loads the code, sets the CPU mode and the
     * registers.
     *
     * @param source where the machine comes from and goes back to on {@link #close()}
     * @param spec what the guest is
     * @param runObserver told of every run of the VM, when it has stopped
     * @return the VM, not yet run; the caller owns it
     */
    public static GuestVm create(MachineSource source, GuestSpec spec, Consumer<GuestRun> runObserver) {
        MachineConfig config = new MachineConfig(spec.ram(), spec.mode(), spec.trace(), spec.vcpus().count(),
                spec.devices().has(Device.LOCAL_APIC), spec.cpuid());
        VirtualMachine machine = source.obtain(config);
        try {
            GuestVm vm = new GuestVm(machine, source, config, spec, runObserver);
            if (spec.firmware() != Firmware.NONE) {
                vm.installFirmware();
            }
            if (spec.devices().has(Device.FW_CFG)) {
                vm.devices.fwCfg(new FwCfg(spec.writableRam(), spec.vcpus().count(), spec.devices().fwCfgFiles()));
            }
            for (ImageSegment segment : spec.image()) {
                vm.memory.write(segment.address(), segment.bytes());
            }
            CpuModeSetup.apply(machine, spec.mode(), spec.ram(),
                    SystemArea.find(spec.ram(), spec.mode(), spec.image()).orElse(0),
                    spec.firmware() != Firmware.NONE && spec.mode() != CpuMode.REAL
                            ? FirmwareRom.interruptDescriptorTable(spec.mode()) : CpuModeSetup.NO_IDT);
            machine.setRegisters(spec.registers());
            vm.prepareApplicationProcessors();
            return vm;
        } catch (RuntimeException | Error e) {
            source.release(machine, config, false);
            throw e;
        }
    }

    /**
     * Fills the firmware ROM, its IDTs and, in {@code REAL} mode, the interrupt vector table; the
     * guest's image then goes over them.
     */
    /**
     * Gives each application processor the BSP's system registers and its general registers but
     * RIP (the APs' entry), RDI (its index) and RSP (0), as {@link io.github.junitkvm.KvmGuest#apEntry()}
     * promises.
     */
    private void prepareApplicationProcessors() {
        if (!spec.vcpus().several()) {
            return;
        }
        if (spec.vcpus().apEntry() == -1) {
            apResetState = machine.specialRegisters(1);
            return;
        }
        SpecialRegisters system = machine.specialRegisters();
        for (int ap = 1; ap < spec.vcpus().count(); ap++) {
            machine.setSpecialRegisters(ap, system);
            machine.setRegisters(ap, spec.registers().withRip(spec.vcpus().apEntry()).withRdi(ap).withRsp(0));
        }
    }

    private void installFirmware() {
        FirmwareRom.install(memory, spec.mode(), SystemTables.CODE32_SELECTOR, SystemTables.CODE64_SELECTOR);
        firmware = new InterruptTraps(this, this::isClosed);
        devices.firmware(firmware);
        if (spec.firmware() == Firmware.BIOS) {
            bios = new PcBios(this, firmware, spec.ram(), character -> runRecorder.printed(character));
        }
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** @return the CPU mode the guest started in */
    public CpuMode mode() {
        return spec.mode();
    }

    @Override
    public GuestMemory memory() {
        ensureOpen();
        return testMemory;
    }

    @Override
    public GeneralRegisters registers() {
        ensureUsable("KvmVm.registers()");
        return registersOf(vcpuAtHand());
    }

    /**
     * The vCPU a device model serves: a local APIC, which each vCPU has of its own at the same
     * address, answers the MMIO access of the vCPU this names.
     *
     * @return during a run, on its thread, the vCPU whose exit the handlers now serve; otherwise 0
     */
    public int currentVcpu() {
        return vcpuAtHand();
    }

    /**
     * @return the vCPU the caller means without naming one: during a run, a handler's is that of
     *     the vCPU whose exit it handles; otherwise vCPU 0
     */
    private int vcpuAtHand() {
        return isHandlerThread() ? handlerVcpu : 0;
    }

    private GeneralRegisters registersOf(int vcpu) {
        return vcpu == 0 ? machine.registers() : machine.registers(vcpu);
    }

    private SpecialRegisters specialRegistersOf(int vcpu) {
        return vcpu == 0 ? machine.specialRegisters() : machine.specialRegisters(vcpu);
    }

    @Override
    public void setRegisters(GeneralRegisters registers) {
        ensureUsable("KvmVm.setRegisters()");
        Objects.requireNonNull(registers, "registers");
        Rflags.problem(registers.rflags()).ifPresent(why -> {
            throw new IllegalArgumentException(String.format("cannot set rflags to 0x%x: %s", registers.rflags(), why));
        });
        int vcpu = vcpuAtHand();
        if (isHandlerThread()) {
            long rip = registersOf(vcpu).rip();
            if (registers.rip() != rip) {
                throw movedInHandler(String.format("RIP from 0x%x to 0x%x", rip, registers.rip()));
            }
        }
        if (vcpu == 0) {
            machine.setRegisters(registers);
        } else {
            machine.setRegisters(vcpu, registers);
        }
    }

    @Override
    public SpecialRegisters specialRegisters() {
        ensureUsable("KvmVm.specialRegisters()");
        return specialRegistersOf(vcpuAtHand());
    }

    @Override
    public void setSpecialRegisters(SpecialRegisters registers) {
        ensureUsable("KvmVm.setSpecialRegisters()");
        Objects.requireNonNull(registers, "registers");
        int vcpu = vcpuAtHand();
        if (isHandlerThread()) {
            Segment cs = specialRegistersOf(vcpu).cs();
            if (!registers.cs().equals(cs)) {
                throw movedInHandler("CS from " + cs + " to " + registers.cs());
            }
        }
        if (vcpu == 0) {
            machine.setSpecialRegisters(registers);
        } else {
            machine.setSpecialRegisters(vcpu, registers);
        }
    }

    @Override
    public GuestSymbol symbol(String name) {
        ensureOpen();
        return spec.symbols().find(Objects.requireNonNull(name, "name"));
    }

    @Override
    public GuestFunction function(String name) {
        ensureOpen();
        return calls.function(Objects.requireNonNull(name, "name"));
    }

    @Override
    public GuestFunction functionAt(long address) {
        ensureOpen();
        return calls.functionAt(address);
    }

    @Override
    public CallResult call(String name, long... arguments) {
        return function(name).call(arguments);
    }

    @Override
    public void startVcpu(int vcpu, int vector) {
        ensureUsable("KvmVm.startVcpu()");
        if (vcpu < 1 || vcpu >= started.length) {
            throw new IllegalArgumentException("vCPU " + vcpu + " is not an application processor: the guest has "
                    + (started.length == 1 ? "none" : "vCPUs 1 to " + (started.length - 1)));
        }
        if (vector < 0 || vector > 0xff) {
            throw new IllegalArgumentException(String.format("start-up vector 0x%x is not 0 to 0xff", vector));
        }
        if (started[vcpu]) {
            return;
        }
        Segment reset = apResetState.cs();
        machine.setSpecialRegisters(vcpu, apResetState.withCs(new Segment(vector << 8, (long) vector << 12,
                reset.limit(), reset.type(), reset.present(), reset.dpl(), reset.db(), reset.s(), reset.l(), reset.g(),
                reset.avl(), reset.unusable())));
        machine.setRegisters(vcpu, GeneralRegisters.initial());
        VcpuRun run = runVcpus;
        if (run != null && isHandlerThread()) {
            run.start(vcpu);
        } else {
            started[vcpu] = true;
        }
    }

    @Override
    public GuestArena arena() {
        ensureOpen();
        return calls.arena();
    }

    /**
     * Checks that the VM is open and not running: a call sets the registers and runs the VM, which
     * neither a handler of a run nor another thread during one may do.
     *
     * @param operation what the caller is about to do, as the message names it
     */
    void ensureIdle(String operation) {
        synchronized (lifecycle) {
            ensureOpen();
            if (running) {
                throw new IllegalStateException(operation + " was called during a run" + (isHandlerThread()
                        ? ", by a handler: a handler may use the VM's memory and registers, or stop the run"
                        : ", by another thread (" + runner.getName() + "): call functions from the thread that runs"
                        + " the VM, between runs"));
            }
        }
    }

    /**
     * A handler runs while the guest's instruction is in progress: the backends complete it at the
     * address it started from (KVM rewrites RIP after an MMIO access; Unicorn ignores RIP written
     * in a hook), so moving the guest elsewhere is refused rather than lost on one backend.
     */
    private static IllegalStateException movedInHandler(String move) {
        return new IllegalStateException("a handler cannot move the guest's instruction pointer (" + move
                + "): the instruction that made the exit completes when the handler returns; stop the run with"
                + " KvmVm.stopRun(reason) and set the registers between runs");
    }

    @Override
    public void stopRun(String reason) {
        Objects.requireNonNull(reason, "reason");
        synchronized (lifecycle) {
            ensureOpen();
            if (!running) {
                throw new IllegalStateException("KvmVm.stopRun(\"" + GuestText.literal(reason)
                        + "\") was called when no run is in progress");
            }
            if (stopReason == null) {
                stopReason = reason;
            }
        }
        machine.requestStop();
    }

    @Override
    public KvmVm onPortIn(int port, PortInHandler handler) {
        ensureOpen();
        devices.onPortIn(port, Objects.requireNonNull(handler, "handler"));
        return this;
    }

    @Override
    public KvmVm onPortOut(int port, PortOutHandler handler) {
        ensureOpen();
        devices.onPortOut(port, Objects.requireNonNull(handler, "handler"));
        return this;
    }

    @Override
    public KvmVm onMsrRead(long index, MsrReadHandler handler) {
        ensureOpen();
        devices.onMsrRead(index, Objects.requireNonNull(handler, "handler"));
        return this;
    }

    @Override
    public KvmVm onMsrWrite(long index, MsrWriteHandler handler) {
        ensureOpen();
        devices.onMsrWrite(index, Objects.requireNonNull(handler, "handler"));
        return this;
    }

    @Override
    public KvmVm onMmio(long address, long length, MmioHandler handler) {
        ensureOpen();
        if (length <= 0) {
            throw new IllegalArgumentException(String.format(
                    "onMmio length %d at guest address 0x%x is not positive", length, address));
        }
        if (address < 0) {
            throw new IllegalArgumentException(String.format(
                    "onMmio range at guest address 0x%x: not a guest physical address (0 to 2^63 - 1)", address));
        }
        // Past this check the range's end is a long, so that comparing ranges cannot overflow.
        if (length > Long.MAX_VALUE - address) {
            throw new IllegalArgumentException(String.format(
                    "onMmio range of 0x%x bytes at guest address 0x%x runs past the end of the guest physical"
                            + " address space (2^63)", length, address));
        }
        // Read-only regions may be covered: their guest writes are MMIO writes, as on KVM.
        if (layout.overlapsWritable(address, length)) {
            throw new IllegalArgumentException(String.format(
                    "onMmio range [0x%x, 0x%x) overlaps guest RAM %s: MMIO serves addresses outside RAM"
                            + " and writes to read-only regions", address, address + length, layout.describe()));
        }
        devices.onMmio(address, length, Objects.requireNonNull(handler, "handler"));
        return this;
    }

    @Override
    public KvmVm onInterrupt(int vector, InterruptHandler handler) {
        ensureOpen();
        if (firmware == null) {
            throw new IllegalStateException(String.format("onInterrupt(0x%x): the guest has no firmware whose interrupt"
                    + " vector table leads to the host; use @KvmGuest(firmware = Firmware.INTERRUPTS), or BIOS",
                    vector));
        }
        firmware.onInterrupt(vector, handler);
        return this;
    }

    /**
     * @return vCPU 0's {@code INTR} pin, where the VM's interrupt controllers attach and idle
     *     participants register
     */
    public InterruptPin interruptPin() {
        return interruptPins.get(0);
    }

    @Override
    public void raiseInterrupt(int vector) {
        if (vector < FIRST_EXTERNAL_VECTOR || vector > LAST_VECTOR) {
            throw new IllegalArgumentException(String.format("raiseInterrupt(%d): vector %d (0x%x) is not an external"
                    + " interrupt's: vectors 32 to 255 are; 0 to 31 are the CPU's exceptions", vector, vector, vector));
        }
        ensureOpen();
        raisedInterrupts.raise(vector);
    }

    @Override
    public void raiseIrq(int irq) {
        ensureOpen();
        chipset.raiseIrq(irq);
    }

    @Override
    public void raiseNmi() {
        ensureOpen();
        machine.raiseNmi();
    }

    @Override
    public GuestClock clock() {
        ensureOpen();
        return chipset;
    }

    @Override
    public Bios bios() {
        ensureOpen();
        if (bios != null) {
            return bios;
        }
        throw new IllegalStateException("the guest has no BIOS: use @KvmGuest(firmware = Firmware.BIOS)"
                + " (its firmware is " + spec.firmware() + ")");
    }

    @Override
    public GuestRun run() {
        return run(spec.timeout());
    }

    @Override
    public GuestRun run(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("run timeout " + timeout + " is not positive");
        }
        synchronized (lifecycle) {
            ensureUsable("KvmVm.run()");
            if (running) {
                throw new IllegalStateException("KvmVm.run() was called by a handler during the run; a handler"
                        + " may use the VM's memory and registers, or stop the run with KvmVm.stopRun(reason)");
            }
            running = true;
            runner = Thread.currentThread();
            stopReason = null;
            cleanSoFar = false; // until the run has ended cleanly
        }
        try {
            GuestRun run = recordRun(RunWatchdog.measurable(timeout));
            boolean clean = switch (run.lastExit().reason()) {
                case HLT, DEBUG_EXIT, GUEST_DONE, GUEST_ASSERTION_FAILED, STOPPED -> true;
                default -> false;
            };
            synchronized (lifecycle) {
                cleanSoFar = clean;
            }
            return run;
        } finally {
            synchronized (lifecycle) {
                running = false;
                runner = null;
            }
        }
    }

    private GuestRun recordRun(Duration timeout) {
        int runGeneration = ++generation;
        ExitRecorder recorder = new ExitRecorder(devices, interruptPins, spec.limits(), machine::requestStop);
        runRecorder = recorder;
        // A run is one machine run per guest library log line, and one more: its trace joins theirs.
        TraceRecorder trace = spec.trace() > 0 ? new TraceRecorder(spec.trace()) : null;
        VcpuRun vcpus = new VcpuRun(machine, spec.vcpus().count(), vcpu -> spec.vcpus().several()
                ? new VcpuExits(vcpu, recorder, this::handlingExitOf) : recorder, started);
        runVcpus = vcpus;
        long start = System.nanoTime();
        VmExit last;
        try (RunWatchdog.Watch watch = RunWatchdog.watchCurrentThread(timeout, machine::requestStop)) {
            synchronized (lifecycle) {
                runWatch = watch;
                if (closed) {
                    watch.closing();
                }
            }
            try {
                last = runUntilStop(vcpus, recorder, trace, watch, timeout);
            } finally {
                runVcpus = null;
                synchronized (lifecycle) {
                    runWatch = null;
                }
            }
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - start);
        recorder.rethrowHandlerFailure();
        recorder.vcpu(vcpus.lastExitVcpu());
        recorder.stoppedBy(last);
        GuestRun run = new RecordedRun(recorder, vcpus.records(recorder, last),
                new RamView(machine, layout, () -> ensureCurrent(runGeneration)), duration, backend, spec.mode(),
                Optional.ofNullable(trace).map(TraceRecorder::snapshot));
        runObserver.accept(run);
        return run;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A close while a run is in progress (from another thread, or from a handler) stops the run
     * and closes the machine; otherwise the machine goes back to its source, reusable if every run
     * ended cleanly.
     */
    @Override
    public void close() {
        boolean reusable;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            reusable = cleanSoFar && !running;
            if (runWatch != null) {
                runWatch.closing();
            }
        }
        // Not reusable: the source closes the machine, which stops a run in progress; the run's own
        // thread then finds the machine closed.
        source.release(machine, config, reusable);
    }

    /**
     * Runs the machine until a stop that ends the run. A close of the VM meanwhile ends it as
     * {@link ExitReason#CLOSED}, also when it came before the machine could stop the run, so that
     * the closed machine, or the memory of a guest library report, refused to go on.
     */
    private VmExit runUntilStop(VcpuRun vcpus, ExitRecorder recorder, TraceRecorder trace, RunWatchdog.Watch watch,
                                Duration timeout) {
        try {
            return runServingReports(vcpus, recorder, trace, watch, timeout);
        } catch (IllegalStateException refused) {
            if (watch.verdict() != RunWatchdog.Verdict.CLOSED) {
                throw refused;
            }
            return lastExit(StopCause.stopRequested(), watch.verdict(), timeout);
        }
    }

    /**
     * Runs the machine until a stop that ends the run. A report of the guest library stops the
     * machine too (its port is a stop port, so that the guest waits while the host reads the report
     * from its memory); a log line is recorded and the machine goes on, unless the run was meanwhile
     * asked to stop.
     *
     * @param trace collects the trace of each run of the machine, or null when the guest is not traced
     */
    private VmExit runServingReports(VcpuRun vcpus, ExitRecorder recorder, TraceRecorder trace,
                                     RunWatchdog.Watch watch, Duration timeout) {
        while (true) {
            StopCause cause = vcpus.run(devices.stopPorts(),
                    () -> watch.verdict() != RunWatchdog.Verdict.NONE || stopReason != null || recorder.handlerFailed());
            recorder.vcpu(vcpus.lastExitVcpu());
            if (trace != null) {
                trace.append(lastRunTrace());
            }
            List<Integer> woken = cause.kind() == StopCause.Kind.HLT ? wakingVcpus(vcpus) : List.of();
            if (!woken.isEmpty()) {
                if (watch.verdict() != RunWatchdog.Verdict.NONE || recorder.handlerFailed() || stopReason != null) {
                    return lastExit(StopCause.stopRequested(), watch.verdict(), timeout);
                }
                woken.forEach(vcpus::wake);
                continue;
            }
            if (cause.kind() != StopCause.Kind.STOP_PORT || cause.port() != GuestLibrary.PORT) {
                return lastExit(cause, watch.verdict(), timeout);
            }
            GuestReport report = reports.read(cause.size(), cause.value());
            if (report instanceof GuestReport.Done) {
                return VmExit.guestDone();
            }
            if (report instanceof GuestReport.Failure failure) {
                recorder.guestAssertionFailed(failure.assertion());
                return VmExit.guestAssertionFailed().withDetail(failure.assertion().toString());
            }
            recorder.guestLogged(cause.port(), cause.size(), cause.value(), ((GuestReport.Log) report).line());
            if (watch.verdict() != RunWatchdog.Verdict.NONE || recorder.handlerFailed() || stopReason != null) {
                return lastExit(StopCause.stopRequested(), watch.verdict(), timeout);
            }
        }
    }

    /**
     * Every vCPU has halted: those with interrupts enabled wake when an interrupt is requested for
     * them, which the idle participants (the virtual clock) may bring about. The backends end the
     * machine's run once every vCPU has halted, and the next run delivers the interrupts.
     *
     * @return the vCPUs that take an interrupt and go on; empty if none does
     */
    private List<Integer> wakingVcpus(VcpuRun vcpus) {
        List<IdleParticipant> participants = interruptPins.get(0).idleParticipants();
        if (participants.isEmpty() && interruptPins.stream().noneMatch(InterruptPin::requested)) {
            return List.of();   // nothing can wake a vCPU: its flags need not be read
        }
        boolean[] waiting = new boolean[interruptPins.size()];
        boolean anyWaiting = false;
        for (int vcpu = 0; vcpu < waiting.length; vcpu++) {
            waiting[vcpu] = vcpus.halted(vcpu) && (machine.registers(vcpu).rflags() & RFLAGS_IF) != 0;
            anyWaiting |= waiting[vcpu];
        }
        if (!anyWaiting) {
            return List.of();   // a halt with interrupts disabled ends the run: the clock stays
        }
        List<Integer> requested = requestedAmong(waiting);
        for (int next = 0; requested.isEmpty() && next < participants.size(); next++) {
            participants.get(next).guestIdle(vcpu -> waiting[vcpu]);
            requested = requestedAmong(waiting);
        }
        return requested;
    }

    /** @return the waiting vCPUs for which an interrupt is requested */
    private List<Integer> requestedAmong(boolean[] waiting) {
        return IntStream.range(0, waiting.length).filter(vcpu -> waiting[vcpu] && interruptPins.get(vcpu).requested())
                .boxed().toList();
    }

    /** @return the trace of the run that just stopped, empty if the VM was closed during it */
    private InstructionTrace lastRunTrace() {
        try {
            return machine.lastRunTrace();
        } catch (IllegalStateException closedDuringTheRun) {
            return InstructionTrace.empty();
        }
    }

    private VmExit lastExit(StopCause cause, RunWatchdog.Verdict verdict, Duration timeout) {
        return switch (cause.kind()) {
            case HLT -> VmExit.hlt();
            case STOP_PORT -> VmExit.debugExit(cause.value()); // the one stop port left: see runServingReports
            case STOP_REQUESTED -> verdict == RunWatchdog.Verdict.NONE && stopReason != null
                    ? VmExit.of(ExitReason.STOPPED, 0, stopReason)
                    : switch (verdict) {
                case CLOSED -> VmExit.of(ExitReason.CLOSED, 0,
                        "stopped because KvmVm.close() was called during the run");
                case INTERRUPTED -> VmExit.timeout()
                        .withDetail("stopped because the test thread was interrupted (JUnit's @Timeout?)");
                // NONE: a handler that threw asked for the stop, and its exception replaces the run.
                case TIME_LIMIT, NONE -> VmExit.timeout()
                        .withDetail("stopped at the time limit of " + timeout.toMillis() + " ms");
            };
            case SHUTDOWN -> VmExit.shutdown().withDetail(cause.detail());
            case FAIL_ENTRY -> VmExit.of(ExitReason.FAIL_ENTRY, cause.value(), cause.detail());
            case INTERNAL_ERROR -> VmExit.of(ExitReason.INTERNAL_ERROR, cause.value(), cause.detail());
            case EMULATOR_FAULT -> VmExit.of(ExitReason.EMULATOR_FAULT, cause.value(), cause.detail());
        };
    }

    /**
     * The IPIs a local APIC sends to a processor: an NMI is the vCPU's, a start-up IPI starts an
     * AP that waits for it as {@link #startVcpu} does (the others ignore it, as on a PC), and an
     * INIT is what every AP that has not started already waits after; an INIT that would stop a
     * running vCPU is not modelled, and fails the run rather than be ignored.
     */
    private final class StartUpIpis implements ProcessorSignals {
        @Override
        public void nmi(int vcpu) {
            machine.raiseNmi(vcpu);
        }

        @Override
        public void init(int vcpu) {
            if (started[vcpu]) {
                throw new UnsupportedOperationException("an INIT IPI reached vCPU " + vcpu + ", which "
                        + (vcpu == 0 ? "is the bootstrap processor" : "has started") + ": resetting a running vCPU"
                        + " is not modelled; only an AP that has not started takes INIT (and then a start-up IPI)");
            }
        }

        @Override
        public void startUp(int vcpu, int vector) {
            if (!started[vcpu]) {
                startVcpu(vcpu, vector);
            }
        }
    }

    /** A vCPU's exit reaches the handlers: they see that vCPU, and the exit is recorded as its. */
    private void handlingExitOf(int vcpu) {
        handlerVcpu = vcpu;
        runRecorder.vcpu(vcpu);
    }

    private void ensureOpen() {
        if (isClosed()) {
            throw new IllegalStateException("this KvmVm is closed");
        }
    }

    private boolean isClosed() {
        synchronized (lifecycle) {
            return closed;
        }
    }

    /**
     * Checks that the VM is open and that no other thread runs it: during a run, the VM is the
     * handlers' own, which see and change the vCPU as it stands at their exit.
     */
    private void ensureUsable(String operation) {
        ensureOpen();
        Thread running = runner;
        if (running != null && running != Thread.currentThread()) {
            throw new IllegalStateException(operation + " was called while another thread (" + running.getName()
                    + ") runs this VM: use the VM from that run's handlers, or after the run");
        }
    }

    /** @return whether the caller is a handler of the run in progress */
    private boolean isHandlerThread() {
        return runner == Thread.currentThread();
    }

    private void ensureCurrent(int runGeneration) {
        ensureOpen();
        if (runGeneration != generation) {
            throw new IllegalStateException(
                    "this run's memory is no longer as at its stop: the VM has run again; use KvmVm.memory()");
        }
    }
}
