package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ARCH_X86;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ERR_OK;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_INSN;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_INTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_HOOK_MEM_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MEM_FETCH_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MEM_READ_UNMAPPED;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MODE_16;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_PROT_ALL;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_QUERY_TIMEOUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_IN;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_INS_OUT;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR0;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR2;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR3;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR4;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_DS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EAX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EBP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EBX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_ECX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EDI;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EDX;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EFLAGS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_EIP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_ES;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_ESI;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_ESP;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_FS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GDTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_IDTR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_MSR;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_SS;

import com.sun.jna.Callback;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.emulator.unicorn.InHook;
import io.github.junitkvm.emulator.unicorn.InterruptHook;
import io.github.junitkvm.emulator.unicorn.MmioReadCallback;
import io.github.junitkvm.emulator.unicorn.MmioWriteCallback;
import io.github.junitkvm.emulator.unicorn.OutHook;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import io.github.junitkvm.emulator.unicorn.UnmappedAccessHook;
import io.github.junitkvm.emulator.unicorn.X86Mmr;
import io.github.junitkvm.emulator.unicorn.X86Msr;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One machine in a {@code UC_MODE_16} Unicorn engine: its RAM, the MMIO that fills every hole below
 * {@link #PHYSICAL_LIMIT}, its registers, and runs whose exits go to an {@link ExitChannel}. Used by
 * one thread; only the stop action may be called from another, while a run is in progress.
 */
final class RealModeEngine implements AutoCloseable {
    /**
     * The end of what a real-mode guest can address: 1 MiB plus the high memory area that
     * {@code FFFF:FFFF} reaches. Holes between RAM regions below it are MMIO, as on KVM.
     */
    static final long PHYSICAL_LIMIT = 0x110000;

    /** {@code uc_emu_start}'s {@code until}: a linear address no real-mode guest can reach. */
    private static final long UNREACHABLE = -1L;

    private static final int[] GENERAL = {
        UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_ESI, UC_X86_REG_EDI,
        UC_X86_REG_ESP, UC_X86_REG_EBP,
    };
    private static final String[] GENERAL_NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp"};
    private static final int[] SEGMENTS = {
        UC_X86_REG_CS, UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS, UC_X86_REG_SS,
    };
    private static final String[] SEGMENT_NAMES = {"CS", "DS", "ES", "FS", "GS", "SS"};
    private static final int CODE_TYPE = 0xb;
    private static final int DATA_TYPE = 0x3;
    /** How many bytes at CS:IP a fault message shows. */
    private static final int CODE_BYTES_SHOWN = 8;

    private final UnicornLibrary uc;
    private final List<RamRegion> ram;
    private final ExitChannel exits;
    private final Memory scratch = new Memory(X86Mmr.SIZE);
    private Pointer handle;

    // Unicorn calls these through native trampolines; the fields keep them alive as long as the engine.
    private final OutHook outHook = this::onOut;
    private final InHook inHook = this::onIn;
    private final InterruptHook interruptHook = this::onInterrupt;
    private final UnmappedAccessHook unmappedHook = this::onUnmapped;
    private final MmioReadCallback mmioRead = this::onMmioRead;
    private final MmioWriteCallback mmioWrite = this::onMmioWrite;

    private RunState current;

    private RealModeEngine(UnicornLibrary uc, List<RamRegion> ram, ExitChannel exits) {
        this.uc = uc;
        this.ram = ram;
        this.exits = exits;
    }

    /**
     * @param uc the library
     * @param config the machine's RAM and CPU mode
     * @param exits receives the exits of runs
     * @return the engine, RAM mapped, hooks installed
     * @throws HypervisorException if the configuration is beyond this engine
     */
    static RealModeEngine open(UnicornLibrary uc, MachineConfig config, ExitChannel exits) {
        if (config.mode() != CpuMode.REAL) {
            throw new HypervisorException("the emulator backend supports only REAL mode in this release, not "
                    + config.mode());
        }
        for (RamRegion region : config.ram()) {
            if (region.readOnly()) {
                throw new HypervisorException(String.format(Locale.ROOT,
                        "read-only regions are not supported by the emulator backend in this release"
                                + " (region at 0x%x, size 0x%x)", region.guestAddress(), region.size()));
            }
        }
        RealModeEngine engine = new RealModeEngine(uc, config.ram(), exits);
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
        check(uc.uc_open(UC_ARCH_X86, UC_MODE_16, opened), "uc_open(UC_ARCH_X86, UC_MODE_16)");
        handle = opened.getValue();
        long hole = 0;
        for (RamRegion region : ram) {
            check(uc.uc_mem_map(handle, region.guestAddress(), region.size(), UC_PROT_ALL),
                    String.format(Locale.ROOT, "uc_mem_map(0x%x, 0x%x)", region.guestAddress(), region.size()));
            mapMmio(hole, Math.min(region.guestAddress(), PHYSICAL_LIMIT));
            hole = Math.max(hole, region.end());
        }
        mapMmio(hole, PHYSICAL_LIMIT);
        addHook(UC_HOOK_INSN, outHook, UC_X86_INS_OUT);
        addHook(UC_HOOK_INSN, inHook, UC_X86_INS_IN);
        addHook(UC_HOOK_INTR, interruptHook);
        addHook(UC_HOOK_MEM_UNMAPPED, unmappedHook);
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

    /** @return EAX…EBP, EIP and EFLAGS, zero-extended; R8–R15 are zero */
    GeneralRegisters registers() {
        long[] values = GeneralRegisters.initial().toArray();
        for (int i = 0; i < GENERAL.length; i++) {
            values[i] = readRegister(GENERAL[i]);
        }
        values[16] = readRegister(UC_X86_REG_EIP);
        values[17] = readRegister(UC_X86_REG_EFLAGS);
        return GeneralRegisters.fromArray(values);
    }

    /**
     * @param registers the new registers
     * @throws HypervisorException if a value needs more than 32 bits or R8–R15
     */
    void setRegisters(GeneralRegisters registers) {
        long[] values = registers.toArray();
        for (int i = 8; i < 16; i++) {
            if (values[i] != 0) {
                throw new HypervisorException(String.format(Locale.ROOT,
                        "cannot set r%d to 0x%x: the emulator's REAL-mode engine has only 32-bit registers"
                                + " (no R8-R15)", i, values[i]));
            }
        }
        requireThirtyTwoBits("rip", registers.rip());
        requireThirtyTwoBits("rflags", registers.rflags());
        for (int i = 0; i < GENERAL.length; i++) {
            requireThirtyTwoBits(GENERAL_NAMES[i], values[i]);
        }
        for (int i = 0; i < GENERAL.length; i++) {
            writeRegister(GENERAL[i], values[i]);
        }
        writeRegister(UC_X86_REG_EIP, registers.rip());
        writeRegister(UC_X86_REG_EFLAGS, registers.rflags());
    }

    private static void requireThirtyTwoBits(String name, long value) {
        if (value >>> 32 != 0) {
            throw new HypervisorException(String.format(Locale.ROOT,
                    "cannot set %s to 0x%x: the emulator's REAL-mode engine has only 32-bit registers"
                            + " (EAX-EDI, ESP, EBP, EIP, EFLAGS); the upper 32 bits must be zero", name, value));
        }
    }

    /**
     * @return segments as real mode has them (base = selector × 16, limit 0xffff), GDTR, IDTR, CR0–CR4
     *     and EFER; TR and LDT at their reset values, CR8 and the APIC base 0 (Unicorn does not model
     *     them here)
     */
    SpecialRegisters specialRegisters() {
        Segment[] segments = new Segment[SEGMENTS.length];
        for (int i = 0; i < SEGMENTS.length; i++) {
            segments[i] = Segment.realMode((int) readRegister(SEGMENTS[i]), i == 0 ? CODE_TYPE : DATA_TYPE);
        }
        Segment tr = new Segment(0, 0, 0xffff, 0xb, true, 0, false, false, false, false, false, false);
        Segment ldt = new Segment(0, 0, 0xffff, 0x2, true, 0, false, false, false, false, false, false);
        return new SpecialRegisters(segments[0], segments[1], segments[2], segments[3], segments[4],
                segments[5], tr, ldt, readTable(UC_X86_REG_GDTR), readTable(UC_X86_REG_IDTR),
                readRegister(UC_X86_REG_CR0), readRegister(UC_X86_REG_CR2), readRegister(UC_X86_REG_CR3),
                readRegister(UC_X86_REG_CR4), 0, readEfer(), 0);
    }

    /**
     * Writes the selectors (Unicorn derives real-mode bases from them), CR0–CR4, GDTR and IDTR. TR,
     * LDT, CR8 and the APIC base are not modelled and ignored.
     *
     * @param registers the new system registers
     * @throws HypervisorException if a segment base is not its selector × 16, or EFER would change
     */
    void setSpecialRegisters(SpecialRegisters registers) {
        Segment[] segments = {registers.cs(), registers.ds(), registers.es(), registers.fs(), registers.gs(),
            registers.ss()};
        for (int i = 0; i < segments.length; i++) {
            Segment segment = segments[i];
            long base = (segment.selector() & 0xffffL) << 4;
            if (segment.base() != base) {
                throw new HypervisorException(String.format(Locale.ROOT,
                        "cannot set %s to selector 0x%04x with base 0x%x: the emulator's REAL-mode engine"
                                + " derives every segment base from its selector (base = selector * 16 = 0x%x)",
                        SEGMENT_NAMES[i], segment.selector(), segment.base(), base));
            }
        }
        long efer = readEfer();
        if (registers.efer() != efer) {
            throw new HypervisorException(String.format(Locale.ROOT,
                    "cannot set EFER to 0x%x (it is 0x%x): the emulator's REAL-mode engine has no long mode",
                    registers.efer(), efer));
        }
        for (int i = 0; i < segments.length; i++) {
            writeRegister(SEGMENTS[i], segments[i].selector() & 0xffff);
        }
        writeRegister(UC_X86_REG_CR0, registers.cr0());
        writeRegister(UC_X86_REG_CR2, registers.cr2());
        writeRegister(UC_X86_REG_CR3, registers.cr3());
        writeRegister(UC_X86_REG_CR4, registers.cr4());
        writeTable(UC_X86_REG_GDTR, registers.gdt());
        writeTable(UC_X86_REG_IDTR, registers.idt());
    }

    /** Real-mode registers are at most 32 bits wide; Unicorn writes 2 or 4 bytes, the rest stays zero. */
    private long readRegister(int id) {
        scratch.clear(Long.BYTES);
        check(uc.uc_reg_read(handle, id, scratch), "uc_reg_read(" + id + ")");
        return scratch.getInt(0) & 0xffffffffL;
    }

    private void writeRegister(int id, long value) {
        scratch.setLong(0, value);
        check(uc.uc_reg_write(handle, id, scratch), String.format(Locale.ROOT, "uc_reg_write(%d, 0x%x)", id, value));
    }

    private DescriptorTable readTable(int id) {
        scratch.clear(X86Mmr.SIZE);
        check(uc.uc_reg_read(handle, id, scratch), "uc_reg_read(" + id + ")");
        return new DescriptorTable(X86Mmr.base(scratch), X86Mmr.limit(scratch));
    }

    private void writeTable(int id, DescriptorTable table) {
        X86Mmr.write(scratch, table.base(), table.limit());
        check(uc.uc_reg_write(handle, id, scratch), "uc_reg_write(" + id + ", " + table + ")");
    }

    /** EFER through the MSR interface; an engine that refuses reports 0, the real-mode reset value. */
    private long readEfer() {
        X86Msr.select(scratch, X86Msr.MSR_EFER);
        return uc.uc_reg_read(handle, UC_X86_REG_MSR, scratch) == UC_ERR_OK ? X86Msr.value(scratch) : 0;
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
        long begin = linear(readRegister(UC_X86_REG_CS), readRegister(UC_X86_REG_EIP));
        RunState state = new RunState(stopPorts);
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
        }
        return StopClassifier.classify(outcome(state, error, stopRequested));
    }

    /** Called from the stopper thread while the run is in progress. */
    private void stopEmulation() {
        uc.uc_emu_stop(handle);
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
                    + " (RAM: %s; MMIO: the rest below 0x%x)", access, size, address, describeRam(), PHYSICAL_LIMIT));
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
        int cs = (int) readRegister(UC_X86_REG_CS);
        long ip = readRegister(UC_X86_REG_EIP);
        long here = linear(cs, ip);
        byte[] before = readRamOrNull(here - 1, 1);
        LongByReference timedOut = new LongByReference();
        check(uc.uc_query(handle, UC_QUERY_TIMEOUT, timedOut), "uc_query(UC_QUERY_TIMEOUT)");
        return new RunOutcome(state, error, error == UC_ERR_OK ? "" : uc.uc_strerror(error), stopRequested,
                timedOut.getValue() != 0, cs, ip, before == null ? -1 : before[0] & 0xff,
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

    private static long linear(long selector, long ip) {
        return (selector << 4) + (ip & 0xffff);
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
