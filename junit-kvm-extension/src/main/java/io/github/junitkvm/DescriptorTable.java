package io.github.junitkvm;

/**
 * A descriptor-table register (GDTR or IDTR), mirroring {@code struct kvm_dtable}.
 *
 * @param base the linear address of the table
 * @param limit the table's size in bytes, minus one
 */
public record DescriptorTable(long base, int limit) {
    /**
     * Checks the limit, which the CPU holds in 16 bits.
     *
     * @throws IllegalArgumentException if the limit is not 0 to 0xffff
     */
    public DescriptorTable {
        if (limit >>> 16 != 0) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "descriptor table limit 0x%x is not 0 to 0xffff (the table's size in bytes, minus one)", limit));
        }
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "base=0x%x limit=0x%x", base, limit);
    }
}
