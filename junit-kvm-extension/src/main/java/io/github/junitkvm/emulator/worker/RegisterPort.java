package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_ERR_OK;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_MSR;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.emulator.unicorn.UnicornException;
import io.github.junitkvm.emulator.unicorn.UnicornLibrary;
import io.github.junitkvm.emulator.unicorn.X86Mmr;
import io.github.junitkvm.emulator.unicorn.X86Msr;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Register access to one open engine, through one native scratch buffer. Used by one thread.
 */
final class RegisterPort {
    /** The most registers one batch call reads or writes. */
    static final int MAX_BATCH = 32;

    private final UnicornLibrary uc;
    private final Pointer handle;
    private final Memory scratch = new Memory(X86Mmr.SIZE);
    /** The values of a batch, 8 bytes each. */
    private final Memory batchValues = new Memory((long) Long.BYTES * MAX_BATCH);
    /** A pointer to each of {@link #batchValues}' slots, as the batch functions take them. */
    private final Memory batchSlots = new Memory((long) Native.POINTER_SIZE * MAX_BATCH);

    RegisterPort(UnicornLibrary uc, Pointer handle) {
        this.uc = uc;
        this.handle = handle;
        for (int i = 0; i < MAX_BATCH; i++) {
            batchSlots.setPointer((long) Native.POINTER_SIZE * i, batchValues.share((long) Long.BYTES * i));
        }
    }

    /**
     * Reads registers in one call; each value zero-extended, as {@link #read} has it.
     *
     * @param ids at most {@link #MAX_BATCH} {@code UC_X86_REG_*} ids
     * @return their values, in the same order
     */
    long[] readAll(int[] ids) {
        batchValues.clear((long) Long.BYTES * ids.length);
        check(uc.uc_reg_read_batch(handle, ids, batchSlots, ids.length),
                () -> "uc_reg_read_batch(" + Arrays.toString(ids) + ")");
        return batchValues.getLongArray(0, ids.length);
    }

    /**
     * Writes registers in one call.
     *
     * @param ids at most {@link #MAX_BATCH} {@code UC_X86_REG_*} ids
     * @param values their new values, in the same order; as many as there are ids, or more
     */
    void writeAll(int[] ids, long[] values) {
        batchValues.write(0, values, 0, ids.length);
        check(uc.uc_reg_write_batch(handle, ids, batchSlots, ids.length),
                () -> "uc_reg_write_batch(" + Arrays.toString(ids) + ")");
    }

    /**
     * Unicorn writes 2, 4 or 8 bytes depending on the register and the engine's mode; the rest of
     * the cleared buffer stays zero, so the value comes back zero-extended.
     *
     * @param id a {@code UC_X86_REG_*} id
     * @return the value
     */
    long read(int id) {
        scratch.clear(Long.BYTES);
        check(uc.uc_reg_read(handle, id, scratch), () -> "uc_reg_read(" + id + ")");
        return scratch.getLong(0);
    }

    /**
     * @param id a {@code UC_X86_REG_*} id
     * @param value the new value; Unicorn takes as many bytes as the register has
     */
    void write(int id, long value) {
        scratch.setLong(0, value);
        check(uc.uc_reg_write(handle, id, scratch),
                () -> String.format(Locale.ROOT, "uc_reg_write(%d, 0x%x)", id, value));
    }

    /** @param id GDTR or IDTR @return its base and limit */
    DescriptorTable readTable(int id) {
        scratch.clear(X86Mmr.SIZE);
        check(uc.uc_reg_read(handle, id, scratch), () -> "uc_reg_read(" + id + ")");
        return new DescriptorTable(X86Mmr.base(scratch), X86Mmr.limit(scratch));
    }

    /** @param id GDTR or IDTR @param table the new base and limit */
    void writeTable(int id, DescriptorTable table) {
        X86Mmr.write(scratch, table.base(), table.limit());
        check(uc.uc_reg_write(handle, id, scratch), () -> "uc_reg_write(" + id + ", " + table + ")");
    }

    /** @param value the new EFER */
    void writeEfer(long value) {
        X86Msr.write(scratch, X86Msr.MSR_EFER, value);
        check(uc.uc_reg_write(handle, UC_X86_REG_MSR, scratch),
                () -> String.format(Locale.ROOT, "writing EFER = 0x%x", value));
    }

    /** @param what names the call; asked only on failure, so that a call costs no formatting */
    private void check(int error, Supplier<String> what) {
        if (error != UC_ERR_OK) {
            throw new UnicornException(what.get(), error, uc.uc_strerror(error));
        }
    }
}
