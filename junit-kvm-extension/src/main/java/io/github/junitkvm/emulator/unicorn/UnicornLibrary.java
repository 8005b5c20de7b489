package io.github.junitkvm.emulator.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The functions of {@code unicorn/unicorn.h} that the emulator backend calls, mapped one to one
 * with JNA's direct mapping: each is a native method bound to the library's function when the
 * library is loaded. A call costs a fraction of an interface-mapped one (measured: 0.1 to 0.25 µs
 * against 1 to 1.5 µs for {@code uc_reg_read}), and so does a call back into a hook, since JNA
 * calls back callbacks passed to direct-mapped functions without boxing their arguments (measured
 * on an {@code OUT} hook: 1.9 to 2.3 million calls a second against 0.7 to 1.1). Direct mapping
 * has no variadic functions: {@code uc_ctl} and {@code uc_hook_add} are declared once for each
 * argument list the backend passes, which on x86-64 Linux is the same call as the variadic one.
 *
 * <p>Every function but {@link #uc_strerror}, {@link #uc_version} and {@link #uc_context_size}
 * returns a {@code uc_err} code ({@link UnicornConstants#UC_ERR_OK} on success). {@code size_t} is
 * mapped to {@code long} (64-bit Linux only).
 */
public final class UnicornLibrary {

    /** The name under which the dynamic linker finds the system's {@code libunicorn.so}. */
    public static final String SYSTEM = "unicorn";

    private static final UnicornLibrary INSTANCE = new UnicornLibrary();

    /** The library this class's native methods are bound to; null until the first {@link #load}. */
    private static String bound;

    private UnicornLibrary() {
    }

    /**
     * Loads a libunicorn and binds this class's native methods to it. A JVM binds them once: an
     * emulator worker loads one library for its life.
     *
     * @param library {@link #SYSTEM}, for the one on the system's library path, or the absolute
     *     path of a library file
     * @return the bound library
     * @throws UnsatisfiedLinkError if the library cannot be found or loaded, or lacks one of the
     *     functions
     * @throws IllegalStateException if this JVM bound another library before
     */
    public static synchronized UnicornLibrary load(String library) {
        if (bound == null) {
            Native.register(UnicornLibrary.class, NativeLibrary.getInstance(library));
            bound = library;
        } else if (!bound.equals(library)) {
            throw new IllegalStateException("this JVM bound libunicorn's functions to " + bound
                    + " already; it cannot bind them to " + library + " as well");
        }
        return INSTANCE;
    }

    /**
     * Formats {@link #uc_version}'s result, which holds major, minor and patch level in its bytes
     * 3, 2 and 1.
     *
     * @param combined the combined version number
     * @return the version, for example {@code 2.0.1}
     */
    public static String versionName(int combined) {
        return (combined >>> 24) + "." + (combined >>> 16 & 0xff) + "." + (combined >>> 8 & 0xff);
    }

    /**
     * @param major receives the major version
     * @param minor receives the minor version
     * @return the combined version number
     */
    public native int uc_version(IntByReference major, IntByReference minor);

    /**
     * @param arch {@code UC_ARCH_*}
     * @param mode {@code UC_MODE_*}
     * @param uc receives the engine handle
     * @return a {@code uc_err}
     */
    public native int uc_open(int arch, int mode, PointerByReference uc);

    /**
     * @param uc the engine; invalid afterwards
     * @return a {@code uc_err}
     */
    public native int uc_close(Pointer uc);

    /**
     * @param uc the engine
     * @param type {@code UC_QUERY_*}
     * @param result receives the answer
     * @return a {@code uc_err}
     */
    public native int uc_query(Pointer uc, int type, LongByReference result);

    /**
     * @param code a {@code uc_err}
     * @return its description
     */
    public native String uc_strerror(int code);

    /**
     * @param uc the engine
     * @param regid a {@code UC_X86_REG_*}
     * @param value the new value, in the register's C type
     * @return a {@code uc_err}
     */
    public native int uc_reg_write(Pointer uc, int regid, Pointer value);

    /**
     * @param uc the engine
     * @param regid a {@code UC_X86_REG_*}
     * @param value receives the value, in the register's C type
     * @return a {@code uc_err}
     */
    public native int uc_reg_read(Pointer uc, int regid, Pointer value);

    /**
     * @param uc the engine
     * @param regids {@code UC_X86_REG_*} ids
     * @param values {@code count} pointers, the i-th to where the i-th register's value goes
     * @param count how many registers
     * @return a {@code uc_err}
     */
    public native int uc_reg_read_batch(Pointer uc, int[] regids, Pointer values, int count);

    /**
     * @param uc the engine
     * @param regids {@code UC_X86_REG_*} ids
     * @param values {@code count} pointers, the i-th to the i-th register's new value
     * @param count how many registers
     * @return a {@code uc_err}
     */
    public native int uc_reg_write_batch(Pointer uc, int[] regids, Pointer values, int count);

    /**
     * @param uc the engine
     * @param address guest physical address
     * @param bytes the data
     * @param size byte count
     * @return a {@code uc_err}
     */
    public native int uc_mem_write(Pointer uc, long address, Pointer bytes, long size);

    /**
     * @param uc the engine
     * @param address guest physical address
     * @param bytes receives the data
     * @param size byte count
     * @return a {@code uc_err}
     */
    public native int uc_mem_read(Pointer uc, long address, Pointer bytes, long size);

    /**
     * @param uc the engine
     * @param begin where to start (in {@code UC_MODE_16}: a linear address)
     * @param until where to stop
     * @param timeout microseconds, 0 for none
     * @param count instructions, 0 for no limit
     * @return a {@code uc_err}
     */
    public native int uc_emu_start(Pointer uc, long begin, long until, long timeout, long count);

    /**
     * Callable from any thread while {@code uc_emu_start} runs.
     *
     * @param uc the engine
     * @return a {@code uc_err}
     */
    public native int uc_emu_stop(Pointer uc);

    /**
     * Changes an engine setting that takes no arguments. C's declaration is variadic.
     *
     * @param uc the engine
     * @param control a {@code uc_control_type} with the argument count in bits 26-29 and the
     *     direction ({@link UnicornConstants#UC_CTL_IO_WRITE}) in bits 30-31, as C's
     *     {@code UC_CTL_WRITE} macro builds it
     * @return a {@code uc_err}
     */
    public native int uc_ctl(Pointer uc, int control);

    /**
     * Changes an engine setting that takes two 64-bit arguments, such as the range of
     * {@code UC_CTL_TB_REMOVE_CACHE}.
     *
     * @param uc the engine
     * @param control as for {@link #uc_ctl(Pointer, int)}, with an argument count of 2
     * @param first the first argument
     * @param second the second argument
     * @return a {@code uc_err}
     */
    public native int uc_ctl(Pointer uc, int control, long first, long second);

    /**
     * Adds a hook. C's declaration is variadic; this is its call without the extra argument.
     *
     * @param uc the engine
     * @param hh receives the hook handle
     * @param type {@code UC_HOOK_*}, not {@code UC_HOOK_INSN}
     * @param callback the callback, whose shape depends on the type; keep it referenced
     * @param userData passed back to the callback
     * @param begin first address the hook covers
     * @param end last address the hook covers ({@code begin > end}: everywhere)
     * @return a {@code uc_err}
     */
    public native int uc_hook_add(Pointer uc, LongByReference hh, int type, Callback callback, Pointer userData,
                                  long begin, long end);

    /**
     * Adds a hook on one instruction ({@code UC_HOOK_INSN}), which C's variadic declaration takes
     * as the extra argument.
     *
     * @param uc the engine
     * @param hh receives the hook handle
     * @param type {@code UC_HOOK_INSN}
     * @param callback the callback, whose shape depends on the instruction; keep it referenced
     * @param userData passed back to the callback
     * @param begin first address the hook covers
     * @param end last address the hook covers ({@code begin > end}: everywhere)
     * @param instruction the instruction, {@code UC_X86_INS_*}
     * @return a {@code uc_err}
     */
    public native int uc_hook_add(Pointer uc, LongByReference hh, int type, Callback callback, Pointer userData,
                                  long begin, long end, int instruction);

    /**
     * Adds a hook whose callback is a native function, without C's variadic extra argument.
     *
     * @param uc the engine
     * @param hh receives the hook's handle
     * @param type {@code UC_HOOK_*}, not {@code UC_HOOK_INSN}
     * @param function the native function Unicorn calls
     * @param userData passed back to the function
     * @param begin first address the hook covers
     * @param end last address the hook covers ({@code begin > end}: everywhere)
     * @return a {@code uc_err}
     */
    public native int uc_hook_add(Pointer uc, LongByReference hh, int type, Pointer function, Pointer userData,
                                  long begin, long end);

    /**
     * Removes a hook; called from a callback, it takes effect at once and frees the hook when the
     * run ends.
     *
     * @param uc the engine
     * @param hh the hook's handle, from {@code uc_hook_add}
     * @return a {@code uc_err}
     */
    public native int uc_hook_del(Pointer uc, long hh);

    /**
     * @param uc the engine
     * @param address guest physical address, page-aligned
     * @param size bytes, a page multiple
     * @param perms {@code UC_PROT_*}
     * @return a {@code uc_err}
     */
    public native int uc_mem_map(Pointer uc, long address, long size, int perms);

    /**
     * Maps host memory the caller owns, which must outlive the engine: several engines may map the
     * same memory.
     *
     * @param uc the engine
     * @param address guest physical address, page-aligned
     * @param size bytes, a page multiple
     * @param perms {@code UC_PROT_*}
     * @param memory the host memory, {@code size} bytes
     * @return a {@code uc_err}
     */
    public native int uc_mem_map_ptr(Pointer uc, long address, long size, int perms, Pointer memory);

    /**
     * Maps a range whose reads and writes go to callbacks.
     *
     * @param uc the engine
     * @param address guest physical address, page-aligned
     * @param size bytes, a page multiple
     * @param readCallback serves reads; keep it referenced
     * @param readUserData passed back to {@code readCallback}
     * @param writeCallback serves writes; keep it referenced
     * @param writeUserData passed back to {@code writeCallback}
     * @return a {@code uc_err}
     */
    public native int uc_mmio_map(Pointer uc, long address, long size, MmioReadCallback readCallback,
                                  Pointer readUserData, MmioWriteCallback writeCallback, Pointer writeUserData);

    /**
     * @param uc the engine
     * @return the bytes a context takes: C's {@code struct uc_context} header, then a copy of the
     *     CPU's state ({@code CPUX86State} up to {@code retaddr})
     */
    public native long uc_context_size(Pointer uc);

    /**
     * @param uc the engine
     * @param context receives a context of {@link #uc_context_size} bytes; free it with
     *     {@link #uc_context_free}
     * @return a {@code uc_err}
     */
    public native int uc_context_alloc(Pointer uc, PointerByReference context);

    /**
     * Copies the CPU's whole state into the context.
     *
     * @param uc the engine
     * @param context a context of this engine
     * @return a {@code uc_err}
     */
    public native int uc_context_save(Pointer uc, Pointer context);

    /**
     * Copies the context's state into the CPU, as it is, hidden parts (segment caches, mode flags) included.
     *
     * @param uc the engine
     * @param context a context of this engine
     * @return a {@code uc_err}
     */
    public native int uc_context_restore(Pointer uc, Pointer context);

    /**
     * @param context a context from {@link #uc_context_alloc}
     * @return a {@code uc_err}
     */
    public native int uc_context_free(Pointer context);
}
