package io.github.junitkvm.disasm;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The functions of {@code capstone/capstone.h} the disassembler calls, mapped one to one.
 * {@code csh} and {@code size_t} are mapped to {@code long} (64-bit Linux only); the functions that
 * return a {@code cs_err} return {@link Capstone#CS_ERR_OK} on success.
 */
interface CapstoneLibrary extends Library {
    /**
     * @param major receives the major API version
     * @param minor receives the minor API version
     * @return {@code (major << 8) + minor}
     */
    int cs_version(IntByReference major, IntByReference minor);

    /**
     * @param arch {@code CS_ARCH_*}
     * @param mode {@code CS_MODE_*}
     * @param handle receives the handle
     * @return a {@code cs_err}
     */
    int cs_open(int arch, int mode, LongByReference handle);

    /**
     * @param handle the handle to close; zeroed
     * @return a {@code cs_err}
     */
    int cs_close(LongByReference handle);

    /**
     * @param handle an open handle
     * @param code the bytes
     * @param size how many of them
     * @param address the address of the first
     * @param count the most instructions to decode, 0 for all
     * @param instructions receives an array of {@code cs_insn}, to be freed with {@link #cs_free}
     * @return how many instructions were decoded, 0 on failure
     */
    long cs_disasm(long handle, byte[] code, long size, long address, long count, PointerByReference instructions);

    /**
     * @param instructions an array from {@link #cs_disasm}
     * @param count its length
     */
    void cs_free(Pointer instructions, long count);

    /**
     * @param code a {@code cs_err}
     * @return its description
     */
    String cs_strerror(int code);
}
