package io.github.junitkvm;

/**
 * A descriptor-table register (GDTR or IDTR), mirroring {@code struct kvm_dtable}.
 *
 * @param base the linear address of the table
 * @param limit the table's size in bytes, minus one
 */
public record DescriptorTable(long base, int limit) {
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "base=0x%x limit=0x%x", base, limit);
    }
}
