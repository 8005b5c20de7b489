package io.github.junitkvm.emulator.worker;

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
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_GS;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_SS;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.HypervisorException;
import java.util.Locale;

/**
 * What the 16- and 32-bit engines share: eight 32-bit general registers, EIP and EFLAGS (no
 * R8–R15, which Unicorn does not offer outside {@code UC_MODE_64}), and an EFER without long mode.
 */
abstract class ThirtyTwoBitRegisters implements ModeRegisters {
    static final int[] SEGMENTS = {
        UC_X86_REG_CS, UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS, UC_X86_REG_SS,
    };
    static final String[] SEGMENT_NAMES = {"CS", "DS", "ES", "FS", "GS", "SS"};
    private static final int[] GENERAL = {
        UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_ESI, UC_X86_REG_EDI,
        UC_X86_REG_ESP, UC_X86_REG_EBP,
    };
    private static final String[] GENERAL_NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp"};
    private static final long LOW_32 = 0xffffffffL;

    final RegisterPort port;
    private final String engineName;

    /**
     * @param port the engine's registers
     * @param engineName names the engine in messages, for example {@code REAL-mode}
     */
    ThirtyTwoBitRegisters(RegisterPort port, String engineName) {
        this.port = port;
        this.engineName = engineName;
    }

    /** @return EAX…EBP, EIP and EFLAGS, zero-extended; R8–R15 are zero */
    @Override
    public GeneralRegisters registers() {
        long[] values = GeneralRegisters.initial().toArray();
        for (int i = 0; i < GENERAL.length; i++) {
            values[i] = port.read(GENERAL[i]) & LOW_32;
        }
        values[16] = port.read(UC_X86_REG_EIP) & LOW_32;
        values[17] = port.read(UC_X86_REG_EFLAGS) & LOW_32;
        return GeneralRegisters.fromArray(values);
    }

    /** @throws HypervisorException if a value needs more than 32 bits or R8–R15 */
    @Override
    public void setRegisters(GeneralRegisters registers) {
        long[] values = registers.toArray();
        for (int i = 8; i < 16; i++) {
            if (values[i] != 0) {
                throw new HypervisorException(String.format(Locale.ROOT,
                        "cannot set r%d to 0x%x: the emulator's %s engine has only 32-bit registers"
                                + " (no R8-R15)", i, values[i], engineName));
            }
        }
        requireThirtyTwoBits("rip", registers.rip());
        requireThirtyTwoBits("rflags", registers.rflags());
        for (int i = 0; i < GENERAL.length; i++) {
            requireThirtyTwoBits(GENERAL_NAMES[i], values[i]);
        }
        for (int i = 0; i < GENERAL.length; i++) {
            port.write(GENERAL[i], values[i]);
        }
        port.write(UC_X86_REG_EIP, registers.rip());
        port.write(UC_X86_REG_EFLAGS, registers.rflags());
    }

    private void requireThirtyTwoBits(String name, long value) {
        if (value >>> 32 != 0) {
            throw new HypervisorException(String.format(Locale.ROOT,
                    "cannot set %s to 0x%x: the emulator's %s engine has only 32-bit registers"
                            + " (EAX-EDI, ESP, EBP, EIP, EFLAGS); the upper 32 bits must be zero",
                    name, value, engineName));
        }
    }

    /** @throws HypervisorException if EFER would change: these engines have no long mode */
    void requireEferUnchanged(long wanted) {
        long efer = port.readEfer();
        if (wanted != efer) {
            throw new HypervisorException(String.format(Locale.ROOT,
                    "cannot set EFER to 0x%x (it is 0x%x): the emulator's %s engine has no long mode",
                    wanted, efer, engineName));
        }
    }

    static Segment[] segmentsOf(SpecialRegisters registers) {
        return new Segment[] {registers.cs(), registers.ds(), registers.es(), registers.fs(), registers.gs(),
            registers.ss()};
    }
}
