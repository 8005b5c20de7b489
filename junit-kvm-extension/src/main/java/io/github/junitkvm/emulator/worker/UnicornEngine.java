package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ARCH_X86;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_CTL_TB_FLUSH;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_CTL_TB_REMOVE_CACHE;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ERR_INSN_INVALID;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ERR_OK;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_CODE;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_INSN;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_INTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_MEM_READ;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_MEM_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_MEM_WRITE;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_MEM_WRITE_PROT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MEM_FETCH_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MEM_READ;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MEM_READ_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MEM_WRITE;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MODE_64;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_ALL;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_EXEC;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_READ;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_QUERY_TIMEOUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_CPUID;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_IN;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_OUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR4;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EFLAGS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RAX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RBX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RCX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RDX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_RIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.isFetchError;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.ucCtlWrite;

import com.sun.jna.Callback;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.CpuidEntry;
import io.github.junitkvm.backend.CpuidTable;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.emulator.unicorn.CodeHook;
import io.github.junitkvm.emulator.unicorn.CpuidHook;
import io.github.junitkvm.emulator.unicorn.InHook;
import io.github.junitkvm.emulator.unicorn.InterruptHook;
import io.github.junitkvm.emulator.unicorn.InvalidAccessHook;
import io.github.junitkvm.emulator.unicorn.MemoryAccessHook;
import io.github.junitkvm.emulator.unicorn.MmioReadCallback;
import io.github.junitkvm.emulator.unicorn.MmioWriteCallback;
import io.github.junitkvm.emulator.unicorn.OutHook;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One machine in a {@code UC_MODE_64} Unicorn engine: its RAM, the MMIO that fills every hole below
 * {@link #MMIO_LIMIT}, its registers, and runs whose exits go to the run's listener: the worker's
 * {@link VirtualMachine}. The engine is 64-bit whatever the guest's mode, since only such an engine
 * has all registers and long mode in CPUID; it starts in real mode, as a CPU does, and the guest's
 * own mode switches work as on a CPU. Used by one thread; only {@link #requestStop()} and the stop
 * action may be called from another.
 */
final class UnicornEngine implements VirtualMachine {
    /** The longest x86 instruction, in bytes. */
    private static final int MAX_INSTRUCTION_LENGTH = 15;
    /** {@code uc_emu_start}'s {@code until}: an address no guest reaches, so only stops end a run. */
    private static final long UNREACHABLE = -1L;

    /**
     * Holes between RAM regions below 4 GiB are MMIO, in every mode (a real-mode guest may enter
     * protected mode); above, accesses outside RAM are emulator faults (an unmapped access), since
     * mapping terabytes of MMIO would only slow the engine down.
     */
    static final long MMIO_LIMIT = 1L << 32;

    /** How many bytes at CS:IP a fault message shows. */
    private static final int CODE_BYTES_SHOWN = 8;
    private static final int INVALID_OPCODE = 6;
    private static final int HLT = 0xf4;
    private static final long X86_IF = 1 << 9;
    private static final int GENERAL_PROTECTION = 13;
    private static final int MSR_INSTRUCTION_LENGTH = 2;
    /** The second opcode bytes of {@code RDMSR} ({@code 0F 32}) and {@code WRMSR} ({@code 0F 30}). */
    private static final byte RDMSR = 0x32;
    private static final byte WRMSR = 0x30;

    private final UnicornLibrary uc;
    private final List<RamRegion> ram;
    /** Where the run in progress sends its exits. */
    private ExitListener exits;
    private final StopSwitch stopSwitch;
    private final InterruptLines lines;
    private final MmioMap mmio;
    /** How many instructions a run's trace keeps; 0: no code hook. */
    private final int traceLength;
    /** What the guest's {@code CPUID} returns: Unicorn's own, made the machine's. */
    private final CpuidTable cpuid;
    private Pointer handle;
    private RegisterPort port;
    private CpuState cpuState;
    private CpuRegisters registers;
    private InterruptDelivery interrupts;
    private ExternalInterrupts external;

    /** The open engines by handle, for the hooks to find theirs. */
    private static final Map<Long, UnicornEngine> OPEN = new ConcurrentHashMap<>();
    // Unicorn calls these through native trampolines, which JNA makes once per callback object, some
    // 100 µs for them all: made once per process, shared by its engines, kept alive by the class.
    private static final OutHook OUT_HOOK = (engine, port, size, value, data) ->
            of(engine).onOut(engine, port, size, value, data);
    private static final InHook IN_HOOK = (engine, port, size, data) -> of(engine).onIn(engine, port, size, data);
    private static final CpuidHook CPUID_HOOK = (engine, data) -> of(engine).onCpuid(engine, data);
    private static final InterruptHook INTERRUPT_HOOK = (engine, vector, data) ->
            of(engine).onInterrupt(engine, vector, data);
    private static final InvalidAccessHook UNMAPPED_HOOK = (engine, type, address, size, value, data) ->
            of(engine).onUnmapped(engine, type, address, size, value, data);
    private static final InvalidAccessHook READ_ONLY_WRITE_HOOK = (engine, type, address, size, value, data) ->
            of(engine).onReadOnlyWrite(engine, type, address, size, value, data);
    private static final MemoryAccessHook MMIO_ACCESS_HOOK = (engine, type, address, size, value, data) ->
            of(engine).onMmioAccess(engine, type, address, size, value, data);
    private static final CodeHook CODE_HOOK = (engine, address, size, data) ->
            of(engine).onCode(engine, address, size, data);
    private static final CodeHook MSR_HOOK = (engine, address, size, data) ->
            of(engine).onMsrInstruction(engine, address, size, data);
    private static final CodeHook ONE_INSTRUCTION_HOOK = (engine, address, size, data) ->
            of(engine).onCompletingInstruction(engine, address, size, data);
    private static final MmioReadCallback MMIO_READ = (engine, offset, size, base) ->
            of(engine).onMmioRead(engine, offset, size, base);
    private static final MmioWriteCallback MMIO_WRITE = (engine, offset, size, value, base) ->
            of(engine).onMmioWrite(engine, offset, size, value, base);
    private final PendingMmioRead pendingRead = new PendingMmioRead();

    private final UnicornVersion version;
    /** The RAM this engine shares with the other vCPUs' engines; null when Unicorn owns its RAM. */
    private final SharedRam sharedRam;
    private RunState current;
    /** A host write under paging left translations that may be of the old code. */
    private boolean translationsStale;
    private InstructionTrace lastTrace = InstructionTrace.empty();
    /** The MSRs whose accesses the run in progress hands to its listener. */
    private Set<Long> routedMsrs = Set.of();
    /** Whether {@link #MSR_HOOK} is in the engine: from the first run that routes MSRs on. */
    private boolean msrHookAdded;
    /** A routed MSR access was served in a hook that stopped the emulator: RIP is still at it. */
    private boolean msrInstructionSkipped;

    private UnicornEngine(UnicornLibrary uc, List<RamRegion> ram, int traceLength, CpuidTable cpuid,
                          StopSwitch stopSwitch, InterruptLines lines, SharedRam sharedRam) {
        this.uc = uc;
        this.sharedRam = sharedRam;
        this.version = UnicornVersion.of(uc);
        this.mmio = MmioMap.of(ram, MMIO_LIMIT);
        this.ram = ram;
        this.traceLength = traceLength;
        this.cpuid = cpuid;
        this.stopSwitch = stopSwitch;
        this.lines = lines;
    }

    /**
     * @param uc the library
     * @param config the machine's RAM, CPU mode and trace length
     * @param stopSwitch delivers the parent's stop requests to runs
     * @param lines the vCPU's interrupt inputs, which the parent sets
     * @return the engine, RAM mapped, hooks installed
     * @throws HypervisorException if the configuration is beyond this engine
     */
    static UnicornEngine open(UnicornLibrary uc, MachineConfig config, StopSwitch stopSwitch, InterruptLines lines) {
        return open(uc, config, 0, stopSwitch, lines, null);
    }

    /**
     * Opens the engine of one vCPU of several, whose runs go in slices ({@link #runSlice}).
     *
     * @param uc the library
     * @param config the machine's RAM and CPU mode; no trace
     * @param vcpu the vCPU's index, which its CPUID reports as its APIC ID
     * @param stopSwitch delivers the parent's stop requests to runs
     * @param lines the vCPU's interrupt inputs
     * @param sharedRam the RAM every vCPU's engine maps; null for an engine of its own RAM
     * @return the engine, RAM mapped, hooks installed
     * @throws HypervisorException if the configuration is beyond this engine
     */
    static UnicornEngine open(UnicornLibrary uc, MachineConfig config, int vcpu, StopSwitch stopSwitch,
                              InterruptLines lines, SharedRam sharedRam) {
        UnicornEngine engine = new UnicornEngine(uc, config.ram(), config.traceLength(),
                CpuidTable.of(UnicornCpuid.of(uc), config, vcpu), stopSwitch, lines, sharedRam);
        try {
            engine.start();
            return engine;
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    private void start() {
        PointerByReference opened = new PointerByReference();
        check(uc.uc_open(UC_ARCH_X86, UC_MODE_64, opened), "uc_open(UC_ARCH_X86, UC_MODE_64)");
        handle = opened.getValue();
        OPEN.put(Pointer.nativeValue(handle), this);
        port = new RegisterPort(uc, handle);
        cpuState = CpuState.open(uc, handle, port);
        registers = new CpuRegisters(port, cpuState, version.linearIpInPortHooks());
        // The reset state has both tables at base 0, limit 0xffff (a real-mode IVT of 256 vectors),
        // as KVM's vCPU does; Unicorn opens with limit 0, where every interrupt would fault.
        registers.setSpecialRegisters(ResetState.SPECIAL_REGISTERS);
        interrupts = new InterruptDelivery(port, cpuState, new InterruptDelivery.Ram() {
            @Override
            public byte[] readOrNull(long address, int length) {
                return readForDelivery(address, length);
            }

            @Override
            public boolean write(long address, byte[] data) {
                return writeForDelivery(address, data);
            }
        });
        external = new ExternalInterrupts(port, cpuState, lines);
        for (int i = 0; i < ram.size(); i++) {
            RamRegion region = ram.get(i);
            // Without UC_PROT_WRITE, guest writes reach READ_ONLY_WRITE_HOOK; uc_mem_write still writes.
            int perms = region.readOnly() ? UC_PROT_READ | UC_PROT_EXEC : UC_PROT_ALL;
            Supplier<String> where = () -> String.format(Locale.ROOT, "(0x%x, 0x%x)", region.guestAddress(),
                    region.size());
            if (sharedRam == null) {
                check(uc.uc_mem_map(handle, region.guestAddress(), region.size(), perms),
                        () -> "uc_mem_map" + where.get());
            } else {
                check(uc.uc_mem_map_ptr(handle, region.guestAddress(), region.size(), perms, sharedRam.region(i)),
                        () -> "uc_mem_map_ptr" + where.get());
            }
        }
        for (MmioMap.Range range : mmio.ranges()) {
            mapMmio(range);
        }
        hookInstruction(OUT_HOOK, UC_X86_INS_OUT);
        hookInstruction(IN_HOOK, UC_X86_INS_IN);
        hookInstruction(CPUID_HOOK, UC_X86_INS_CPUID);
        msrHookAdded = false;
        addHook(UC_HOOK_INTR, INTERRUPT_HOOK);
        addHook(UC_HOOK_MEM_UNMAPPED, UNMAPPED_HOOK);
        addHook(UC_HOOK_MEM_WRITE_PROT, READ_ONLY_WRITE_HOOK);
        if (traceLength > 0 || sharedRam != null) {
            // Only when asked for (a trace, or the slices of a vCPU among several): a Java hook
            // on every instruction slows the engine down.
            addHook(UC_HOOK_CODE, CODE_HOOK);
        } else {
            addInstructionHook();
        }
    }

    /**
     * A code hook makes Unicorn end a run between two instructions: it checks for a stop before
     * every instruction (without one, a stop asked for by a hook lets the rest of the translation
     * block run, where KVM stops right after the access), and it sets RIP before each (Unicorn 2.0
     * otherwise sets it at block boundaries only, so that a handler at a port exit would read the
     * block's start). A native function that does nothing is the cheapest such hook (C's
     * {@code labs}, which reads only its first argument): a tight loop runs some 5x slower, where a
     * Java hook makes it 1000x.
     */
    private void addInstructionHook() {
        Pointer doNothing = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("labs");
        check(uc.uc_hook_add(handle, new LongByReference(), UC_HOOK_CODE, doNothing, null, 1, 0),
                "uc_hook_add(UC_HOOK_CODE, labs)");
    }

    /**
     * Maps a hole as MMIO. Its exits come from a memory hook, which sees each access whole (see
     * {@link PendingMmioRead}) and covers the range and the bytes below it, whose accesses may reach
     * into it; the MMIO callbacks only serve the bytes. The hook costs every guest memory access
     * Unicorn's fast path (some 20% on a memory-bound loop), the price of exits that match KVM's.
     * The base of each range travels as the callbacks' user data, so one callback serves every range.
     */
    private void mapMmio(MmioMap.Range range) {
        long size = range.end() - range.start();
        check(uc.uc_mmio_map(handle, range.start(), size, MMIO_READ, new Pointer(range.start()), MMIO_WRITE,
                new Pointer(range.start())),
                () -> String.format(Locale.ROOT, "uc_mmio_map(0x%x, 0x%x)", range.start(), size));
        check(uc.uc_hook_add(handle, new LongByReference(), UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, MMIO_ACCESS_HOOK,
                null, range.hookBegin(), range.last()), () -> String.format(Locale.ROOT, "uc_hook_add(MMIO 0x%x-0x%x)",
                range.hookBegin(), range.last()));
    }

    private void addHook(int type, Callback callback) {
        check(uc.uc_hook_add(handle, new LongByReference(), type, callback, null, 1, 0),
                () -> "uc_hook_add(type " + type + ")");
    }

    /** @param instruction the {@code UC_X86_INS_*} whose execution calls the callback */
    private void hookInstruction(Callback callback, int instruction) {
        check(uc.uc_hook_add(handle, new LongByReference(), UC_HOOK_INSN, callback, null, 1, 0, instruction),
                () -> "uc_hook_add(UC_HOOK_INSN, instruction " + instruction + ")");
    }

    /** @return the open engine with this handle, whose hook Unicorn calls */
    private static UnicornEngine of(Pointer handle) {
        return OPEN.get(Pointer.nativeValue(handle));
    }

    // ---- memory and registers ----

    /**
     * @param address guest physical address inside RAM
     * @param length byte count
     * @return the bytes
     */
    @Override
    public byte[] readMemory(long address, int length) {
        if (length == 0) {
            return new byte[0];
        }
        Memory buffer = new Memory(length);
        check(uc.uc_mem_read(handle, address, buffer, length),
                () -> String.format(Locale.ROOT, "uc_mem_read(0x%x, %d)", address, length));
        return buffer.getByteArray(0, length);
    }

    /**
     * @param address guest physical address inside RAM
     * @param data the bytes
     */
    @Override
    public void writeMemory(long address, byte[] data) {
        write(address, data);
        changedUnderTheRun();
    }

    private void write(long address, byte[] data) {
        if (data.length == 0) {
            return;
        }
        Memory buffer = new Memory(data.length);
        buffer.write(0, data, 0, data.length);
        check(uc.uc_mem_write(handle, address, buffer, data.length),
                () -> String.format(Locale.ROOT, "uc_mem_write(0x%x, %d)", address, data.length));
        // uc_mem_write leaves code translated before in the cache (unicorn-engine/unicorn#1148):
        // without this, a run after a test rewrote code would execute the old instructions.
        if ((port.read(UC_X86_REG_CR0) & X86Flags.CR0_PG) == 0 || !version.translatesGuestPaging()) {
            // Unicorn takes the range as virtual addresses: the physical ones without paging, and
            // under paging too for Unicorn 2.0, which takes virtual addresses as physical ones.
            removeTranslations(address, address + data.length);
        } else {
            // Under the guest's page tables a physical address, taken as a virtual one, may lead
            // to another page, or to none: all translations go, before the emulator next starts
            // (never inside a hook, which would pull the code from under the running block).
            translationsStale = true;
        }
    }

    /** Starts the emulator at {@code begin}, first dropping translations a write made stale. */
    private int emulate(long begin) {
        if (translationsStale) {
            translationsStale = false;
            flushTranslations();
        }
        int error = uc.uc_emu_start(handle, begin, UNREACHABLE, 0, 0);
        if (msrInstructionSkipped) {
            msrInstructionSkipped = false;
            port.write(UC_X86_REG_RIP, port.read(UC_X86_REG_RIP) + MSR_INSTRUCTION_LENGTH);
        }
        registers.afterRun();
        return error;
    }

    /** @return the guest's general registers */
    @Override
    public GeneralRegisters registers(int vcpu) {
        only(vcpu);
        return registers.registers();
    }

    /**
     * @param values the new general registers
     * @throws HypervisorException if the engine's mode cannot hold them
     */
    @Override
    public void setRegisters(int vcpu, GeneralRegisters values) {
        only(vcpu);
        registers.setRegisters(values);
    }

    /** @return the guest's system registers */
    @Override
    public SpecialRegisters specialRegisters(int vcpu) {
        only(vcpu);
        return registers.specialRegisters();
    }

    /**
     * @param values the new system registers
     * @throws HypervisorException if the engine's mode cannot hold them
     */
    @Override
    public void setSpecialRegisters(int vcpu, SpecialRegisters values) {
        only(vcpu);
        registers.setSpecialRegisters(values);
        changedUnderTheRun();
    }

    /** An engine is one vCPU, vCPU 0; {@link UnicornVcpus} numbers the engines of several. */
    private static void only(int vcpu) {
        MachineConfig.vcpu(vcpu, 1);
    }

    /**
     * A handler changed memory or the system registers at an exit: the block Unicorn is executing
     * was translated from the old code, under the old modes, and must not go on. Removing it from
     * the cache only affects later executions, so the exit ends the block and the run goes on from
     * a new one ({@link #afterExit}).
     */
    private void changedUnderTheRun() {
        RunState state = current;
        if (state != null) {
            state.changedByHandler();
        }
    }

    // ---- running ----

    /** {@inheritDoc} Runs from CS:IP; the parent's stop requests arrive through the stop switch. */
    @Override
    public List<StopCause> runAll(Set<Integer> stopPorts, List<ExitListener> listeners) {
        if (listeners.size() != 1) {
            throw new IllegalArgumentException("a run of a machine of 1 vCPU needs one listener, not " + listeners.size());
        }
        return Collections.singletonList(listeners.get(0) == null ? null : runSlice(stopPorts, listeners.get(0), 0));
    }

    /**
     * Runs from CS:IP for at most so many instructions, the turn of one vCPU among several.
     *
     * @param stopPorts ports whose {@code OUT} ends the run
     * @param listener receives the exits
     * @param instructions how many instructions the slice may execute; 0 for no limit (an engine
     *     opened without {@link SharedRam} counts none)
     * @return why the run stopped; null if it stopped only because the slice was over, before an
     *     instruction, where the next slice goes on
     */
    StopCause runSlice(Set<Integer> stopPorts, ExitListener listener, long instructions) {
        RunState state = new RunState(stopPorts, traceLength, instructions);
        lastTrace = InstructionTrace.empty();
        if (!stopSwitch.enter(this::stopEmulation)) {
            return StopCause.stopRequested();
        }
        pendingRead.clear();
        exits = listener;
        routeMsrs(listener.routedMsrs());
        current = state;
        int error = UC_ERR_OK;
        boolean stopRequested;
        try {
            error = emulateTakingInterrupts(state);
            while (goesOn(state, error)) {
                state.resumingAt(port.read(UC_X86_REG_RIP));
                error = emulateTakingInterrupts(state);
            }
        } finally {
            stopRequested = stopSwitch.leave();
            if (error == UC_ERR_OK) {
                error = completeAbandonedInstruction(state);
            }
            current = null;
            lastTrace = state.trace();
        }
        if (state.unmappedAccess() != null) {
            // An instruction helper (FXSAVE's, for one) goes on past a failed access, and the run
            // ends only before the next instruction; the code hook had set RIP to the instruction
            // that made the access, so that is where the guest stopped, as for an inline access.
            port.write(UC_X86_REG_RIP, state.unmappedRip());
        }
        if (state.sliceOver() && error == UC_ERR_OK && !stopRequested) {
            return null;
        }
        return StopClassifier.classify(outcome(state, error, stopRequested));
    }

    /**
     * Emulates from CS:IP, taking interrupts at instruction boundaries as a CPU does
     * ({@link ExternalInterrupts}): before the first instruction, whenever a change of the lines
     * pauses the emulator, and, while an interrupt waits for the guest to be able to take it, after
     * every instruction, which the engine then runs one at a time. An instruction abandoned at an
     * exit completes before any interrupt, as on a CPU.
     *
     * @return {@code uc_emu_start}'s error, after which the run may still go on ({@link #goesOn})
     */
    private int emulateTakingInterrupts(RunState state) {
        while (true) {
            if (state.abandonedAt(port.read(UC_X86_REG_RIP))) {
                int error = stepOne(state);
                if (error != UC_ERR_OK || state.stopped() || stopSwitch.requested()) {
                    return error;
                }
                continue;
            }
            ExternalInterrupts.Boundary boundary = external.atBoundary(exits,
                    (vector, event) -> deliverExternal(state, vector, event));
            if (state.stopped() || stopSwitch.requested()) {
                return UC_ERR_OK;
            }
            if (boundary == ExternalInterrupts.Boundary.WAITING) {
                long instruction = registers.instructionAddress();
                int error = stepOne(state);
                state.takeBlockEnded();
                if (error != UC_ERR_OK || state.stopped() || stopSwitch.requested() || haltedAt(instruction)) {
                    return error;
                }
            } else if (boundary == ExternalInterrupts.Boundary.NONE) {
                lines.emulating(this::stopEmulation);
                int error = emulate(registers.startAddress());
                boolean paused = lines.emulated();
                if (!paused || error != UC_ERR_OK || state.stopped() || haltedBeforeIp()) {
                    return error;
                }
            }
        }
    }

    /**
     * Unicorn (2.0.1, 2.1.4) has no hook on {@code RDMSR} and {@code WRMSR} ({@code uc_hook_add}
     * refuses {@code UC_X86_INS_RDMSR} with {@code UC_ERR_HOOK}): a code hook looks at every
     * instruction instead, at the price of a Java call each, so it is added only for a machine
     * whose runs route MSRs. Blocks translated before it would not call it: they go.
     */
    private void routeMsrs(Set<Long> msrs) {
        routedMsrs = Set.copyOf(msrs);
        if (!routedMsrs.isEmpty() && !msrHookAdded) {
            addHook(UC_HOOK_CODE, MSR_HOOK);
            msrHookAdded = true;
            if (version.translatesGuestPaging()) {
                translationsStale = true;
            } else {
                // Unicorn 2.0's flush costs seconds; it takes these virtual addresses as physical ones.
                for (RamRegion region : ram) {
                    removeTranslations(region.guestAddress(), region.end());
                }
            }
        }
    }

    /**
     * Serves an {@code RDMSR} or {@code WRMSR} of a routed MSR in ring 0 as KVM does: the listener
     * answers and the guest goes on past the instruction, or it refuses and the guest takes a #GP
     * there. Everything else runs as Unicorn has it (outside ring 0, Unicorn raises the #GP).
     */
    private void onMsrInstruction(Pointer engine, long address, int size, Pointer userData) {
        RunState state = current;
        if (state == null || state.stopped() || size != MSR_INSTRUCTION_LENGTH || routedMsrs.isEmpty()) {
            return;
        }
        byte[] code = readRamOrNull(address, MSR_INSTRUCTION_LENGTH);
        if (code == null || code[0] != 0x0f || code[1] != RDMSR && code[1] != WRMSR || !ringZero()) {
            return;
        }
        long index = port.read(UC_X86_REG_RCX) & 0xffffffffL;
        if (!routedMsrs.contains(index)) {
            return;
        }
        boolean served;
        if (code[1] == RDMSR) {
            Long value = exits.msrRead(index);
            served = value != null;
            if (served) {
                port.write(UC_X86_REG_RAX, value & 0xffffffffL);
                port.write(UC_X86_REG_RDX, value >>> 32);
            }
        } else {
            served = exits.msrWrite(index, port.read(UC_X86_REG_RDX) << 32 | port.read(UC_X86_REG_RAX) & 0xffffffffL);
        }
        if (!served) {
            if (!deliver(state, GENERAL_PROTECTION, false, 0, address)) {
                uc.uc_emu_stop(engine);
            }
        } else if (stopSwitch.requested() || state.endBlockForChange()) {
            // Writing RIP here would cancel the stop: Unicorn's quit request, which a write of
            // RIP in a hook makes, clears it. RIP moves past the instruction once Unicorn returned.
            msrInstructionSkipped = true;
            uc.uc_emu_stop(engine);
        } else {
            // Writing RIP in a code hook makes Unicorn go on there: the instruction is skipped.
            port.write(UC_X86_REG_RIP, port.read(UC_X86_REG_RIP) + MSR_INSTRUCTION_LENGTH);
        }
    }

    private boolean ringZero() {
        return (port.read(UC_X86_REG_CR0) & X86Flags.CR0_PE) == 0 || (port.read(UC_X86_REG_CS) & 3) == 0;
    }

    /**
     * Runs the instruction at CS:IP alone: a one-instruction hook stops the emulator before the
     * next. A block translated while one code hook existed calls that hook directly, never a new
     * one: the blocks holding the instruction go, and the one translated for it calls both.
     *
     * @return {@code uc_emu_start}'s error
     */
    private int stepOne(RunState state) {
        LongByReference hook = new LongByReference();
        check(uc.uc_hook_add(handle, hook, UC_HOOK_CODE, ONE_INSTRUCTION_HOOK, null, 1, 0),
                "uc_hook_add(UC_HOOK_CODE, one instruction)");
        long instruction = registers.startAddress();
        removeTranslations(instruction, instruction + MAX_INSTRUCTION_LENGTH);
        state.steppingOne();
        try {
            // count stays 0 on every run: after a run with count > 0, Unicorn 2.0.1 loses the next stop.
            return emulate(instruction);
        } finally {
            uc.uc_hook_del(handle, hook.getValue());
            // The block translated for it would go on calling hooks through the slower list.
            removeTranslations(instruction, instruction + MAX_INSTRUCTION_LENGTH);
        }
    }

    /** @return whether the instruction just run alone at this linear address was a {@code HLT} that halted */
    private boolean haltedAt(long instruction) {
        byte[] code = readRamOrNull(instruction, 1);
        return code != null && (code[0] & 0xff) == HLT && registers.instructionAddress() == instruction + 1;
    }

    /**
     * A pause and a {@code HLT} both end {@code uc_emu_start} without an error. After a pause that
     * finds the byte before CS:IP to be {@code 0xF4}, the emulator takes it for the {@code HLT} it
     * likely is when nothing can be delivered now, and the run stops there; if something can, going
     * on delivers it, exactly as the interrupt would wake the halted CPU.
     */
    private boolean haltedBeforeIp() {
        long here = registers.instructionAddress();
        byte[] before = readRamOrNull(here - 1, 1);
        return before != null && (before[0] & 0xff) == HLT && !deliverableNow();
    }

    /** @return whether the vCPU, its last slice stopped on {@code HLT}, takes an interrupt or NMI now requested */
    boolean wakesFromHalt() {
        return deliverableNow();
    }

    /** @return whether an interrupt or NMI waits and the guest can take it at this boundary */
    private boolean deliverableNow() {
        cpuState.load();
        boolean shadow = (cpuState.hflags() & X86Flags.HF_INHIBIT_IRQ) != 0;
        boolean nmi = (cpuState.hflags2() & X86Flags.HF2_NMI) == 0 && lines.nmiWaiting(false);
        boolean intr = lines.requested() && (port.read(UC_X86_REG_EFLAGS) & X86_IF) != 0;
        return !shadow && (nmi || intr);
    }

    /**
     * @return whether the run goes on after {@code uc_emu_start} returned: an invalid opcode was
     *     delivered to the guest, or an exit ended the translation block only for a handler's change
     */
    private boolean goesOn(RunState state, int error) {
        if (error == UC_ERR_INSN_INVALID) {
            return !state.stopped() && deliverInvalidOpcode(state);
        }
        return error == UC_ERR_OK && state.takeBlockEnded() && !state.stopped() && !state.sliceOver()
                && !stopSwitch.requested();
    }

    /**
     * A stop inside a memory access (a handler stopped the run, or failed) abandoned its
     * instruction after the access; KVM would have completed it. Runs that instruction alone, its
     * access served again as the handler served it ({@link RunState#repeated}), so that the run
     * ends after it. Called after the stop switch is left, so that no stop cuts it short.
     *
     * @return {@code uc_emu_start}'s error for the instruction, which ends the run as any other
     *     error does; not the failed fetch of the instruction it jumped to, which the engine
     *     translates before the one-instruction hook can stop it, and which the guest meets only
     *     if it runs again, as on KVM
     */
    private int completeAbandonedInstruction(RunState state) {
        long abandoned = port.read(UC_X86_REG_RIP);
        if (!state.abandonedAt(abandoned)) {
            return UC_ERR_OK;
        }
        state.completing(true);
        try {
            int error = stepOne(state);
            boolean completed = port.read(UC_X86_REG_RIP) != abandoned;
            return isFetchError(error) && completed ? UC_ERR_OK : error;
        } finally {
            state.completing(false);
        }
    }

    /** Lets the instruction being completed run, and stops before the next one. */
    private void onCompletingInstruction(Pointer engine, long address, int size, Pointer userData) {
        if (current.completedOne()) {
            uc.uc_emu_stop(engine);
        }
    }

    /** Drops the translations of the code at these virtual addresses: the physical pages behind them. */
    private void removeTranslations(long begin, long end) {
        check(uc.uc_ctl(handle, ucCtlWrite(UC_CTL_TB_REMOVE_CACHE, 2), begin, end), "uc_ctl(UC_CTL_TB_REMOVE_CACHE)");
    }

    /** Drops every translation; cheap only where {@link UnicornVersion#translatesGuestPaging()}. */
    private void flushTranslations() {
        check(uc.uc_ctl(handle, ucCtlWrite(UC_CTL_TB_FLUSH, 0)), "uc_ctl(UC_CTL_TB_FLUSH)");
    }

    /** @return the instructions the last run executed, empty when the machine does not trace */
    @Override
    public InstructionTrace lastRunTrace() {
        return lastTrace;
    }

    /**
     * {@inheritDoc} The engine closes its Unicorn engine and opens a new one with the same
     * configuration: a new engine is new by construction, no CPU field, cached translation or
     * memory mapping of the old one survives, which restoring a saved context could not promise.
     */
    @Override
    public void reset() {
        close();
        lines.reset();
        lastTrace = InstructionTrace.empty();
        start();
    }

    @Override
    public void requestStop() {
        stopSwitch.requestArmed();
    }

    @Override
    public void setInterruptRequest(int vcpu, boolean asserted) {
        only(vcpu);
        lines.setRequest(asserted);
    }

    @Override
    public void raiseNmi(int vcpu) {
        only(vcpu);
        lines.raiseNmi();
    }

    /** Called from the stopper thread while the run is in progress. */
    private void stopEmulation() {
        uc.uc_emu_stop(handle);
    }

    private void onCode(Pointer engine, long address, int size, Pointer userData) {
        RunState state = current;
        if (state != null && !(state.lastTraced(address) && countExhausted(address))) {
            state.executing(address);
            if (state.sliceEnds()) {
                uc.uc_emu_stop(engine);
            }
        }
    }

    /** @return whether the instruction at this address is a {@code REP} string instruction whose count is 0 */
    private boolean countExhausted(long address) {
        int width = RepeatedString.countWidth(readRamOrNull(address, MAX_INSTRUCTION_LENGTH), registers.codeWidth());
        return width != 0 && (port.read(UC_X86_REG_RCX) & (width == 64 ? -1L : (1L << width) - 1)) == 0;
    }

    private void onOut(Pointer engine, int port, int size, int value, Pointer userData) {
        RunState state = current;
        if (state == null || state.stopped()) {
            return;
        }
        int p = port & 0xffff;
        long v = value & 0xffffffffL;
        if (state.stopPorts().contains(p)) {
            state.stopPort(StopCause.stopPort(p, size, v));
            registers.portHook(true);
            registers.stoppingInPortHook();
            registers.portHook(false);
            uc.uc_emu_stop(engine);
        } else {
            registers.portHook(true);
            try {
                exits.portOut(p, size, v);
                afterExit(engine, state);
            } finally {
                registers.portHook(false);
            }
        }
    }

    /**
     * After an exit the parent handled: a stop it asked for meanwhile (a handler failed, or stopped
     * the run) ends the run before the guest's next instruction, not when the stopper thread gets
     * to it; a change a handler made to memory or the system registers ends the translation block
     * there, and the run goes on in a new one.
     */
    private void afterExit(Pointer engine, RunState state) {
        if (stopSwitch.requested() || state.endBlockForChange() || lines.pauseWanted()) {
            registers.stoppingInPortHook();
            uc.uc_emu_stop(engine);
        }
    }

    /**
     * After an exit inside a memory access, as {@link #afterExit} after a port. Ending the run
     * there abandons the instruction after the access; when the run goes on, the instruction runs
     * again, and its repeated access gets what the handler gave the first time
     * ({@link RunState#repeated}).
     */
    private void afterMemoryExit(Pointer engine, RunState state, int type, long address, int size, long value) {
        if (stopSwitch.requested() || state.endBlockForChange() || lines.pauseWanted()) {
            state.abandoned(new RunState.AbandonedAccess(type, address, size, value, port.read(UC_X86_REG_RIP)));
            uc.uc_emu_stop(engine);
        }
    }

    /** After the run has been told to stop, Unicorn may finish the current block; its reads get 0. */
    private int onIn(Pointer engine, int port, int size, Pointer userData) {
        RunState state = current;
        if (state == null || state.stopped()) {
            return 0;
        }
        registers.portHook(true);
        try {
            int value = (int) exits.portIn(port & 0xffff, size);
            afterExit(engine, state);
            return value;
        } finally {
            registers.portHook(false);
        }
    }

    /** Answers every {@code CPUID} from the machine's table, as KVM does from the same entries. */
    private int onCpuid(Pointer engine, Pointer userData) {
        CpuidEntry answer = cpuid.answer((int) port.read(UC_X86_REG_RAX), (int) port.read(UC_X86_REG_RCX),
                port.read(UC_X86_REG_CR4));
        // CPUID writes the 32-bit registers, which clears the upper halves of the 64-bit ones.
        port.write(UC_X86_REG_RAX, answer.eax() & 0xffffffffL);
        port.write(UC_X86_REG_RBX, answer.ebx() & 0xffffffffL);
        port.write(UC_X86_REG_RCX, answer.ecx() & 0xffffffffL);
        port.write(UC_X86_REG_RDX, answer.edx() & 0xffffffffL);
        return 1;
    }

    /**
     * Delivers the vector through the guest's tables and lets the run go on at the handler; a
     * triple fault, or a delivery the emulator cannot do, ends the run.
     */
    private void onInterrupt(Pointer engine, int vector, Pointer userData) {
        RunState state = current;
        if (state != null && !state.stopped()) {
            // EIP is at a faulting instruction, or already past an INT n: InterruptInstruction tells them apart.
            long address = registers.instructionAddress();
            if (!cpuState.pendingExceptionKnown()) {
                state.interrupt(vector, address, "Unicorn's record of the exception was not found in its CPU state");
            } else {
                PendingException recorded = cpuState.takePendingException();
                if (deliver(state, vector, recorded.software(), recorded.errorCode(), address)) {
                    return;
                }
            }
        }
        // Returning without a stop or a delivery would re-execute the faulting instruction.
        uc.uc_emu_stop(engine);
    }

    /**
     * Unicorn ends a run at an invalid opcode instead of raising #UD through its interrupt hook:
     * deliver #UD, and the run goes on from the handler.
     *
     * @return whether the run goes on
     */
    private boolean deliverInvalidOpcode(RunState state) {
        return cpuState.pendingExceptionKnown()
                && !InterruptInstruction.isInt1(readRamOrNull(registers.instructionAddress(), 1))
                && deliver(state, INVALID_OPCODE, false, 0, registers.instructionAddress());
    }

    /** @return whether the vector was delivered; if not, the run state says why the run ends */
    private boolean deliver(RunState state, int vector, boolean software, int errorCode, long address) {
        String event = InterruptEvent.describe(vector, software, errorCode, address, port);
        return concludeDelivery(state, vector, address, () -> interrupts.deliver(vector, software, errorCode, event));
    }

    /** An interrupt from outside the CPU: no error code, whatever the vector, and no double fault. */
    private void deliverExternal(RunState state, int vector, String event) {
        concludeDelivery(state, vector, registers.instructionAddress(), () -> interrupts.deliverExternal(vector, event));
    }

    private boolean concludeDelivery(RunState state, int vector, long address, Supplier<InterruptDelivery.Outcome> delivery) {
        InterruptDelivery.Outcome outcome;
        try {
            outcome = delivery.get();
        } catch (RuntimeException e) {
            outcome = new InterruptDelivery.Outcome(null, "the emulator failed to deliver it: " + e.getMessage());
        }
        if (outcome.shutdown() != null) {
            state.shutdown(outcome.shutdown());
        } else if (outcome.unsupported() != null) {
            state.interrupt(vector, address, outcome.unsupported());
        }
        return !state.stopped();
    }

    private byte onUnmapped(Pointer engine, int type, long address, int size, long value, Pointer userData) {
        RunState state = current;
        if (state != null) {
            String access = type == UC_MEM_READ_UNMAPPED ? "read" : type == UC_MEM_FETCH_UNMAPPED ? "fetch" : "write";
            state.unmapped(String.format(Locale.ROOT, "%s of %d bytes at 0x%x, where nothing is mapped"
                    + " (RAM: %s; MMIO: the rest below 0x%x)", access, size, address, describeRam(), MMIO_LIMIT),
                    port.read(UC_X86_REG_RIP));
        }
        return 0;
    }

    /**
     * A guest write to a read-only region is an MMIO write, as KVM reports writes to a
     * {@code KVM_MEM_READONLY} slot. Going on makes Unicorn 2 discard the write (a read-only
     * region's TLB entries carry {@code TLB_DISCARD_WRITE}), so the memory stays unchanged.
     */
    private byte onReadOnlyWrite(Pointer engine, int type, long address, int size, long value, Pointer userData) {
        RunState state = current;
        if (state != null && !state.stopped() && state.repeated(UC_MEM_WRITE, address, size) == null) {
            exits.mmioWrite(address, size, value);
            afterMemoryExit(engine, state, UC_MEM_WRITE, address, size, value);
        }
        return 1;
    }

    private void onMmioAccess(Pointer engine, int type, long address, int size, long value, Pointer userData) {
        if (type == UC_MEM_READ && pendingRead.isPieceOfUnaligned(address, size)) {
            return;
        }
        // After the run has been told to stop, Unicorn may finish the current block: nothing is
        // recorded, and reads get 0.
        RunState state = current;
        boolean recorded = state != null && !state.stopped();
        RunState.AbandonedAccess repeated = recorded ? state.repeated(type, address, size) : null;
        if (repeated != null) {
            if (type == UC_MEM_READ) {
                pendingRead.start(address, size, repeated.value(), mmio::hooked);
            }
            return;
        }
        List<MmioMap.Fragment> fragments = mmio.fragments(address, size);
        if (type == UC_MEM_READ) {
            long whole = 0;
            for (MmioMap.Fragment fragment : fragments) {
                whole |= fragment.place(recorded ? exits.mmioRead(fragment.address(), fragment.size()) : 0);
            }
            pendingRead.start(address, size, whole, mmio::hooked);
            value = whole;
        } else if (recorded) {
            for (MmioMap.Fragment fragment : fragments) {
                exits.mmioWrite(fragment.address(), fragment.size(), fragment.of(value));
            }
        }
        if (recorded) {
            afterMemoryExit(engine, state, type, address, size, value);
        }
    }

    /**
     * Every read here passed {@link #onMmioAccess} first: data reads do, and an instruction fetch
     * from MMIO stops the run with {@code UC_ERR_FETCH_PROT} before it gets here.
     */
    private long onMmioRead(Pointer engine, long offset, int size, Pointer base) {
        return pendingRead.piece(Pointer.nativeValue(base) + offset, size);
    }

    /** {@link #onMmioAccess} reported the write already, whole. */
    private void onMmioWrite(Pointer engine, long offset, int size, long value, Pointer base) {
    }

    private RunOutcome outcome(RunState state, int error, boolean stopRequested) {
        int cs = (int) port.read(UC_X86_REG_CS) & 0xffff;
        long ip = registers.registers().rip();
        long here = registers.instructionAddress();
        byte[] before = readRamOrNull(here - 1, 1);
        LongByReference timedOut = new LongByReference();
        check(uc.uc_query(handle, UC_QUERY_TIMEOUT, timedOut), "uc_query(UC_QUERY_TIMEOUT)");
        return new RunOutcome(state, registers.codeWidth(), error, error == UC_ERR_OK ? "" : uc.uc_strerror(error), stopRequested,
                timedOut.getValue() != 0, cs, ip, here, before == null ? -1 : before[0] & 0xff,
                readRamOrNull(here, CODE_BYTES_SHOWN),
                state.vector() < 0 ? null : readRamBefore(state.vectorAddress(), InterruptInstruction.LONGEST));
    }

    /** Reads RAM only: the bytes that end at {@code end}, back to the start of their region; null if none. */
    private byte[] readRamBefore(long end, int length) {
        for (RamRegion region : ram) {
            if (end > 0 && region.contains(end - 1, 1)) {
                long start = Math.max(region.guestAddress(), end - length);
                return readMemory(start, (int) (end - start));
            }
        }
        return null;
    }

    /**
     * A delivery's read of the guest's tables: RAM, or, during a run, MMIO exits below
     * {@link #MMIO_LIMIT} in accesses of up to 8 bytes, as the CPU reads a device.
     */
    private byte[] readForDelivery(long address, int length) {
        byte[] bytes = readRamOrNull(address, length);
        if (bytes != null || !deliveryReachesMmio(address, length)) {
            return bytes;
        }
        bytes = new byte[length];
        for (int done = 0; done < length; ) {
            int size = Integer.highestOneBit(Math.min(Long.BYTES, length - done));
            long value = exits.mmioRead(address + done, size);
            for (int i = 0; i < size; i++) {
                bytes[done + i] = (byte) (value >>> 8 * i);
            }
            done += size;
        }
        return bytes;
    }

    /** A delivery's write of a stack frame or a table: RAM, or MMIO exits as {@link #readForDelivery} reads. */
    private boolean writeForDelivery(long address, byte[] data) {
        if (writeRamIfRam(address, data)) {
            return true;
        }
        if (!deliveryReachesMmio(address, data.length)) {
            return false;
        }
        for (int done = 0; done < data.length; ) {
            int size = Integer.highestOneBit(Math.min(Long.BYTES, data.length - done));
            long value = 0;
            for (int i = size - 1; i >= 0; i--) {
                value = value << 8 | data[done + i] & 0xff;
            }
            exits.mmioWrite(address + done, size, value);
            done += size;
        }
        return true;
    }

    /** @return whether the bytes are all MMIO, and a run is in progress whose listener serves them */
    private boolean deliveryReachesMmio(long address, int length) {
        RunState state = current;
        return state != null && !state.stopped() && address >= 0
                && mmio.fragments(address, length).stream().mapToInt(MmioMap.Fragment::size).sum() == length;
    }

    /** Writes RAM only. */
    private boolean writeRamIfRam(long address, byte[] data) {
        for (RamRegion region : ram) {
            if (address >= 0 && region.contains(address, data.length)) {
                write(address, data);
                return true;
            }
        }
        return false;
    }

    /** Reads RAM only: reading an MMIO range would call the callbacks outside a run. */
    private byte[] readRamOrNull(long address, int length) {
        for (RamRegion region : ram) {
            if (address >= 0 && region.contains(address, length)) {
                return readMemory(address, length);
            }
        }
        return null;
    }

    private String describeRam() {
        StringBuilder text = new StringBuilder();
        for (RamRegion region : ram) {
            text.append(text.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "0x%x-0x%x", region.guestAddress(), region.end() - 1));
        }
        return text.length() == 0 ? "none" : text.toString();
    }

    private void check(int error, String what) {
        check(error, () -> what);
    }

    /** @param what names the call; asked only on failure, so that a call costs no formatting */
    private void check(int error, Supplier<String> what) {
        if (error != UC_ERR_OK) {
            throw new UnicornException(what.get(), error, uc.uc_strerror(error));
        }
    }

    /** Closes the engine. */
    @Override
    public void close() {
        if (cpuState != null) {
            cpuState.close();
            cpuState = null;
        }
        if (handle != null) {
            OPEN.remove(Pointer.nativeValue(handle));
            uc.uc_close(handle);
            handle = null;
        }
    }
}
