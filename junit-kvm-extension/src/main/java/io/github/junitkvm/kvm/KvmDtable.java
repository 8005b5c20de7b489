package io.github.junitkvm.kvm;

import com.sun.jna.Pointer;
import io.github.junitkvm.DescriptorTable;

/** The layout of {@code struct kvm_dtable}: a {@code __u64} base, a {@code __u16} limit, padding. */
final class KvmDtable {
    static final int SIZE = 16;
    static final int BASE = 0;
    static final int LIMIT = 8;
    static final int PADDING = 10;
    private static final int PADDING_SIZE = 6;

    private KvmDtable() {
    }

    /**
     * @param struct the base of the enclosing struct
     * @param offset the table register's offset in it
     * @return the table register
     */
    static DescriptorTable read(Pointer struct, long offset) {
        return new DescriptorTable(struct.getLong(offset + BASE), struct.getShort(offset + LIMIT) & 0xffff);
    }

    /**
     * @param struct the base of the enclosing struct
     * @param offset the table register's offset in it
     * @param table the values, padding written as zero
     */
    static void write(Pointer struct, long offset, DescriptorTable table) {
        struct.setLong(offset + BASE, table.base());
        struct.setShort(offset + LIMIT, (short) table.limit());
        struct.setMemory(offset + PADDING, PADDING_SIZE, (byte) 0);
    }
}
