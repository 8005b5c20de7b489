package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ARCH_X86;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_CTL_TB_REMOVE_CACHE;
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
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_ALL;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_EXEC;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_READ;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_QUERY_TIMEOUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_IN;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_OUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.ucCtlWrite;


import com.sun.jna.Callback;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.emulator.unicorn.CodeHook;
import io.github.junitkvm.emulator.unicorn.InHook;
import io.github.junitkvm.emulator.unicorn.InterruptHook;
import io.github.junitkvm.emulator.unicorn.InvalidAccessHook;
import io.github.junitkvm.emulator.unicorn.MemoryAccessHook;
import io.github.junitkvm.emulator.unicorn.MmioReadCallback;
import io.github.junitkvm.emulator.unicorn.MmioWriteCallback;
import io.github.junitkvm.emulator.unicorn.OutHook;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One machine in a Unicorn engine of the {@link EngineKind} its CPU mode needs: its RAM, the MMIO
 * that fills every hole below the kind's {@link EngineKind#mmioLimit() limit}, its registers, and
 * runs whose exits go to an {@link ExitChannel}. Used by one thread; only the stop action may be
 * called from another, while a run is in progress.
 */
final class UnicornEngine implements AutoCloseable {
    /** {@code uc_emu_start}'s {@code until}: an address no guest reaches, so only stops end a run. */
    private static final long UNREACHABLE = -1L;

    /** How many bytes at CS:IP a fault message shows. */
    private static final int CODE_BYTES_SHOWN = 8;

    private final UnicornLibrary uc;
    private final List<RamRegion> ram;
    private final ExitChannel exits;
    private final EngineKind kind;
    private final MmioMap mmio;
    /** How many instructions a run's trace keeps; 0: no code hook. */
    private final int traceLength;
    private Pointer handle;
    private RegisterPort port;
    private ModeRegisters registers;

    // Unicorn calls these through native trampolines; the fields keep them alive as long as the engine.
    private final OutHook outHook = this::onOut;
    private final InHook inHook = this::onIn;
    private final InterruptHook interruptHook = this::onInterrupt;
    private final InvalidAccessHook unmappedHook = this::onUnmapped;
    private final InvalidAccessHook readOnlyWriteHook = this::onReadOnlyWrite;
    private final MemoryAccessHook mmioAccessHook = this::onMmioAccess;
    private final CodeHook codeHook = this::onCode;
    private final MmioReadCallback mmioRead = this::onMmioRead;
    private final MmioWriteCallback mmioWrite = this::onMmioWrite;
    private final PendingMmioRead pendingRead = new PendingMmioRead();

    private RunState current;
    private InstructionTrace lastTrace = InstructionTrace.empty();

    private UnicornEngine(UnicornLibrary uc, EngineKind kind, List<RamRegion> ram, int traceLength,
                          ExitChannel exits) {
        this.uc = uc;
        this.kind = kind;
        this.mmio = MmioMap.of(ram, kind.mmioLimit());
        this.ram = ram;
        this.traceLength = traceLength;
        this.exits = exits;
    }

    /**
     * @param uc the library
     * @param config the machine's RAM, CPU mode and trace length
     * @param exits receives the exits of runs
     * @return the engine, RAM mapped, hooks installed
     * @throws HypervisorException if the configuration is beyond this engine
     */
    static UnicornEngine open(UnicornLibrary uc, MachineConfig config, ExitChannel exits) {
        UnicornEngine engine = new UnicornEngine(uc, EngineKind.of(config.mode()), config.ram(),
                config.traceLength(), exits);
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
        check(uc.uc_open(UC_ARCH_X86, kind.ucMode(), opened), "uc_open(UC_ARCH_X86, " + kind.ucName() + ")");
        handle = opened.getValue();
        port = new RegisterPort(uc, handle);
        registers = kind.registers(port, this::readRamOrNull);
        for (RamRegion region : ram) {
            // Without UC_PROT_WRITE, guest writes reach readOnlyWriteHook; uc_mem_write still writes.
            check(uc.uc_mem_map(handle, region.guestAddress(), region.size(),
                            region.readOnly() ? UC_PROT_READ | UC_PROT_EXEC : UC_PROT_ALL),
                    String.format(Locale.ROOT, "uc_mem_map(0x%x, 0x%x)", region.guestAddress(), region.size()));
        }
        for (MmioMap.Range range : mmio.ranges()) {
            mapMmio(range);
        }
        addHook(UC_HOOK_INSN, outHook, UC_X86_INS_OUT);
        addHook(UC_HOOK_INSN, inHook, UC_X86_INS_IN);
        addHook(UC_HOOK_INTR, interruptHook);
        addHook(UC_HOOK_MEM_UNMAPPED, unmappedHook);
        addHook(UC_HOOK_MEM_WRITE_PROT, readOnlyWriteHook);
        if (traceLength > 0) {
            // Only when asked for: a hook on every instruction slows the engine down.
            addHook(UC_HOOK_CODE, codeHook);
        }
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
        check(uc.uc_mmio_map(handle, range.start(), size, mmioRead, new Pointer(range.start()), mmioWrite,
                new Pointer(range.start())), String.format(Locale.ROOT, "uc_mmio_map(0x%x, 0x%x)", range.start(), size));
        check(uc.uc_hook_add(handle, new LongByReference(), UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, mmioAccessHook,
                null, range.hookBegin(), range.last()), String.format(Locale.ROOT, "uc_hook_add(MMIO 0x%x-0x%x)",
                range.hookBegin(), range.last()));
    }

    private void addHook(int type, Callback callback, Object... extra) {
        check(uc.uc_hook_add(handle, new LongByReference(), type, callback, null, 1, 0, extra),
                "uc_hook_add(type " + type + ")");
    }

    // ---- memory and registers ----

    /**
     * @param address guest physical address inside RAM
     * @param length byte count
     * @return the bytes
     */
    byte[] readMemory(long address, int length) {
        if (length == 0) {
            return new byte[0];
        }
        Memory buffer = new Memory(length);
        check(uc.uc_mem_read(handle, address, buffer, length),
                String.format(Locale.ROOT, "uc_mem_read(0x%x, %d)", address, length));
        return buffer.getByteArray(0, length);
    }

    /**
     * @param address guest physical address inside RAM
     * @param data the bytes
     */
    void writeMemory(long address, byte[] data) {
        if (data.length == 0) {
            return;
        }
        Memory buffer = new Memory(data.length);
        buffer.write(0, data, 0, data.length);
        check(uc.uc_mem_write(handle, address, buffer, data.length),
                String.format(Locale.ROOT, "uc_mem_write(0x%x, %d)", address, data.length));
        // uc_mem_write leaves code translated before in the cache (unicorn-engine/unicorn#1148):
        // without this, a run after a test rewrote code would execute the old instructions.
        // Unicorn takes the range as virtual addresses; the emulator supports identity paging only.
        check(uc.uc_ctl(handle, ucCtlWrite(UC_CTL_TB_REMOVE_CACHE, 2), address, address + data.length),
                "uc_ctl(UC_CTL_TB_REMOVE_CACHE)");
    }

    /** @return the guest's general registers */
    GeneralRegisters registers() {
        return registers.registers();
    }

    /**
     * @param values the new general registers
     * @throws HypervisorException if the engine's mode cannot hold them
     */
    void setRegisters(GeneralRegisters values) {
        registers.setRegisters(values);
    }

    /** @return the guest's system registers */
    SpecialRegisters specialRegisters() {
        return registers.specialRegisters();
    }

    /**
     * @param values the new system registers
     * @throws HypervisorException if the engine's mode cannot hold them
     */
    void setSpecialRegisters(SpecialRegisters values) {
        registers.setSpecialRegisters(values);
    }

    // ---- running ----

    /**
     * Runs from CS:IP until something stops the guest.
     *
     * @param stopPorts ports whose {@code OUT} ends the run
     * @param stopSwitch delivers the parent's stop requests
     * @return why the run stopped
     */
    StopCause run(Set<Integer> stopPorts, StopSwitch stopSwitch) {
        long begin = registers.instructionAddress();
        RunState state = new RunState(stopPorts, traceLength);
        lastTrace = InstructionTrace.empty();
        if (!stopSwitch.enter(this::stopEmulation)) {
            return StopCause.stopRequested();
        }
        pendingRead.clear();
        current = state;
        int error;
        boolean stopRequested;
        try {
            // count stays 0 on every run: after a run with count > 0, Unicorn 2.0.1 loses the next stop.
            error = uc.uc_emu_start(handle, begin, UNREACHABLE, 0, 0);
        } finally {
            stopRequested = stopSwitch.leave();
            current = null;
            lastTrace = state.trace();
        }
        return StopClassifier.classify(outcome(state, error, stopRequested));
    }

    /** @return the instructions the last run executed, empty when the machine does not trace */
    InstructionTrace lastRunTrace() {
        return lastTrace;
    }

    /** Called from the stopper thread while the run is in progress. */
    private void stopEmulation() {
        uc.uc_emu_stop(handle);
    }

    private void onCode(Pointer engine, long address, int size, Pointer userData) {
        RunState state = current;
        if (state != null) {
            state.executing(address);
        }
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
            uc.uc_emu_stop(engine);
        } else {
            exits.portOut(p, size, v);
        }
    }

    /** After the run has been told to stop, Unicorn may finish the current block; its reads get 0. */
    private int onIn(Pointer engine, int port, int size, Pointer userData) {
        RunState state = current;
        if (state == null || state.stopped()) {
            return 0;
        }
        return (int) exits.portIn(port & 0xffff, size);
    }

    private void onInterrupt(Pointer engine, int vector, Pointer userData) {
        RunState state = current;
        if (state != null && !state.stopped()) {
            // EIP is at a faulting instruction, or already past an INT n: InterruptInstruction tells them apart.
            state.interrupt(vector, registers.instructionAddress());
        }
        // Returning without a stop would re-execute the faulting instruction.
        uc.uc_emu_stop(engine);
    }

    private byte onUnmapped(Pointer engine, int type, long address, int size, long value, Pointer userData) {
        RunState state = current;
        if (state != null) {
            String access = type == UC_MEM_READ_UNMAPPED ? "read" : type == UC_MEM_FETCH_UNMAPPED ? "fetch" : "write";
            state.unmapped(String.format(Locale.ROOT, "%s of %d bytes at 0x%x, where nothing is mapped"
                    + " (RAM: %s; MMIO: the rest below 0x%x)", access, size, address, describeRam(), kind.mmioLimit()));
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
        if (state != null && !state.stopped()) {
            exits.mmioWrite(address, size, value);
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
        List<MmioMap.Fragment> fragments = mmio.fragments(address, size);
        if (type == UC_MEM_READ) {
            long whole = 0;
            for (MmioMap.Fragment fragment : fragments) {
                whole |= fragment.place(recorded ? exits.mmioRead(fragment.address(), fragment.size()) : 0);
            }
            pendingRead.start(address, size, whole, mmio::hooked);
        } else if (recorded) {
            for (MmioMap.Fragment fragment : fragments) {
                exits.mmioWrite(fragment.address(), fragment.size(), fragment.of(value));
            }
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
        return new RunOutcome(state, kind, error, error == UC_ERR_OK ? "" : uc.uc_strerror(error), stopRequested,
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
        if (error != UC_ERR_OK) {
            throw new UnicornException(what, error, uc.uc_strerror(error));
        }
    }

    /** Closes the engine; the callbacks may be collected with this object afterwards. */
    @Override
    public void close() {
        if (handle != null) {
            uc.uc_close(handle);
            handle = null;
        }
    }
}
