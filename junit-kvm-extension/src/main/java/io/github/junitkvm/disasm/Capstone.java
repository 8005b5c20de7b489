package io.github.junitkvm.disasm;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Capstone disassembler, version 4, through JNA. Each call opens its own Capstone handle and
 * closes it, so calls from several threads never share native state, and no handle outlives a call.
 */
public final class Capstone implements Disassembler {
    /** Debian's and Ubuntu's {@code libcapstone4} package installs it. */
    public static final String LIBRARY = "libcapstone.so.4";

    static final int CS_ARCH_X86 = 3;
    static final int CS_MODE_16 = 1 << 1;
    static final int CS_MODE_32 = 1 << 2;
    static final int CS_MODE_64 = 1 << 3;
    static final int CS_ERR_OK = 0;
    private static final int SUPPORTED_MAJOR = 4;

    private final CapstoneLibrary cs;
    private final String version;

    private Capstone(CapstoneLibrary cs, String version) {
        this.cs = cs;
        this.version = version;
    }

    /**
     * @param library the shared library's file name, such as {@link #LIBRARY}
     * @return the disassembler
     * @throws IllegalStateException if the library cannot be loaded or is not Capstone 4, saying which
     */
    static Capstone load(String library) {
        CapstoneLibrary cs;
        try {
            cs = Native.load(library, CapstoneLibrary.class);
        } catch (LinkageError e) {
            throw new IllegalStateException(library + " could not be loaded (" + e.getMessage().lines().findFirst().orElse("")
                    + "); install it with apt-get install libcapstone4");
        }
        IntByReference major = new IntByReference();
        IntByReference minor = new IntByReference();
        cs.cs_version(major, minor);
        if (major.getValue() != SUPPORTED_MAJOR) {
            throw new IllegalStateException(library + " is Capstone " + major.getValue() + "." + minor.getValue()
                    + ", whose cs_insn layout differs from Capstone 4's, the one this binding reads");
        }
        return new Capstone(cs, major.getValue() + "." + minor.getValue());
    }

    @Override
    public List<Instruction> disassemble(byte[] code, long address, CodeWidth width, int maxInstructions) {
        if (code.length == 0 || maxInstructions <= 0) {
            return List.of();
        }
        LongByReference handle = new LongByReference();
        check(cs.cs_open(CS_ARCH_X86, mode(width), handle), "cs_open");
        try {
            PointerByReference array = new PointerByReference();
            int count = (int) cs.cs_disasm(handle.getValue(), code, code.length, address, maxInstructions, array);
            if (count == 0) {
                return List.of();
            }
            try {
                List<Instruction> instructions = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    instructions.add(CsInsn.read(array.getValue(), i));
                }
                return instructions;
            } finally {
                cs.cs_free(array.getValue(), count);
            }
        } finally {
            cs.cs_close(handle);
        }
    }

    @Override
    public String description() {
        return "Capstone " + version;
    }

    private static int mode(CodeWidth width) {
        return switch (width) {
            case BITS_16 -> CS_MODE_16;
            case BITS_32 -> CS_MODE_32;
            case BITS_64 -> CS_MODE_64;
        };
    }

    private void check(int error, String function) {
        if (error != CS_ERR_OK) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s failed: %s (cs_err %d)", function,
                    cs.cs_strerror(error), error));
        }
    }
}
