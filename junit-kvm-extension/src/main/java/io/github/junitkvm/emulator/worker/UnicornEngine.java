package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ARCH_X86;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ERR_OK;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_CODE;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_INSN;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_INTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_MEM_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MEM_FETCH_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MEM_READ_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_ALL;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_QUERY_TIMEOUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_IN;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_OUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;


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
import io.github.junitkvm.emulator.unicorn.MmioReadCallback;
import io.github.junitkvm.emulator.unicorn.MmioWriteCallback;
import io.github.junitkvm.emulator.unicorn.OutHook;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import io.github.junitkvm.emulator.unicorn.UnmappedAccessHook;
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
    /** How many instructions a run's trace keeps; 0: no code hook. */
    private final int traceLength;
    private Pointer handle;
    private RegisterPort port;
    private ModeRegisters registers;

    // Unicorn calls these through native trampolines; the fields keep them alive as long as the engine.
    private final OutHook outHook = this::onOut;
    private final InHook inHook = this::onIn;
    private final InterruptHook interruptHook = this::onInterrupt;
    private final UnmappedAccessHook unmappedHook = this::onUnmapped;
    private final CodeHook codeHook = this::onCode;
    private final MmioReadCallback mmioRead = this::onMmioRead;
    private final MmioWriteCallback mmioWrite = this::onMmioWrite;

    private RunState current;
    private InstructionTrace lastTrace = InstructionTrace.empty();

    private UnicornEngine(UnicornLibrary uc, EngineKind kind, List<RamRegion> ram, int traceLength,
                          ExitChannel exits) {
        this.uc = uc;
        this.kind = kind;
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
        for (RamRegion region : config.ram()) {
            if (region.readOnly()) {
                throw new HypervisorException(String.format(Locale.ROOT,
                        "read-only regions are not supported by the emulator backend in this release"
                                + " (region at 0x%x, size 0x%x)", region.guestAddress(), region.size()));
            }
        }
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
        long hole = 0;
        for (RamRegion region : ram) {
            check(uc.uc_mem_map(handle, region.guestAddress(), region.size(), UC_PROT_ALL),
                    String.format(Locale.ROOT, "uc_mem_map(0x%x, 0x%x)", region.guestAddress(), region.size()));
            mapMmio(hole, Math.min(region.guestAddress(), kind.mmioLimit()));
            hole = Math.max(hole, region.end());
        }
        mapMmio(hole, kind.mmioLimit());
        addHook(UC_HOOK_INSN, outHook, UC_X86_INS_OUT);
        addHook(UC_HOOK_INSN, inHook, UC_X86_INS_IN);
        addHook(UC_HOOK_INTR, interruptHook);
        addHook(UC_HOOK_MEM_UNMAPPED, unmappedHook);
        if (traceLength > 0) {
            // Only when asked for: a hook on every instruction slows the engine down.
            addHook(UC_HOOK_CODE, codeHook);
        }
    }

    /** The base of each MMIO range travels as its user data, so one callback serves every range. */
    private void mapMmio(long start, long end) {
        if (start < end) {
            check(uc.uc_mmio_map(handle, start, end - start, mmioRead, new Pointer(start), mmioWrite,
                    new Pointer(start)), String.format(Locale.ROOT, "uc_mmio_map(0x%x, 0x%x)", start, end - start));
        }
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
            state.interrupt(vector);
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

    private long onMmioRead(Pointer engine, long offset, int size, Pointer base) {
        RunState state = current;
        if (state == null || state.stopped()) {
            return 0;
        }
        return exits.mmioRead(Pointer.nativeValue(base) + offset, size);
    }

    private void onMmioWrite(Pointer engine, long offset, int size, long value, Pointer base) {
        RunState state = current;
        if (state != null && !state.stopped()) {
            exits.mmioWrite(Pointer.nativeValue(base) + offset, size, value);
        }
    }

    private RunOutcome outcome(RunState state, int error, boolean stopRequested) {
        int cs = (int) port.read(UC_X86_REG_CS) & 0xffff;
        long ip = registers.registers().rip();
        long here = registers.instructionAddress();
        byte[] before = readRamOrNull(here - 1, 1);
        LongByReference timedOut = new LongByReference();
        check(uc.uc_query(handle, UC_QUERY_TIMEOUT, timedOut), "uc_query(UC_QUERY_TIMEOUT)");
        return new RunOutcome(state, error, error == UC_ERR_OK ? "" : uc.uc_strerror(error), stopRequested,
                timedOut.getValue() != 0, cs, ip, here, before == null ? -1 : before[0] & 0xff,
                readRamOrNull(here, CODE_BYTES_SHOWN));
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
