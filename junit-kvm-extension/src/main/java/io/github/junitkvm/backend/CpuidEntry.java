package io.github.junitkvm.backend;

import java.util.Locale;

/**
 * One entry of a vCPU's CPUID table: what {@code CPUID} returns for a leaf ({@code EAX} in), and,
 * for the leaves whose answer depends on it, a subleaf ({@code ECX} in).
 *
 * @param leaf the leaf, an unsigned 32-bit value
 * @param subleaf the subleaf; 0 when not {@code indexed}
 * @param indexed whether the answer depends on the subleaf, as {@code KVM_CPUID_FLAG_SIGNIFCANT_INDEX} says
 * @param eax what {@code EAX} returns
 * @param ebx what {@code EBX} returns
 * @param ecx what {@code ECX} returns
 * @param edx what {@code EDX} returns
 */
public record CpuidEntry(int leaf, int subleaf, boolean indexed, int eax, int ebx, int ecx, int edx) {
    /**
     * @throws IllegalArgumentException if an entry that is not indexed names a subleaf
     */
    public CpuidEntry {
        if (!indexed && subleaf != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "CPUID leaf 0x%x answers every subleaf: it cannot name subleaf 0x%x", leaf, subleaf));
        }
    }

    /**
     * @param eaxIn the leaf asked for
     * @param ecxIn the subleaf asked for
     * @return whether this entry answers that
     */
    public boolean answers(int eaxIn, int ecxIn) {
        return leaf == eaxIn && (!indexed || subleaf == ecxIn);
    }

    /**
     * @param other another entry
     * @return whether both answer the same questions, so that one replaces the other
     */
    public boolean sameSlot(CpuidEntry other) {
        return leaf == other.leaf && (!indexed || !other.indexed || subleaf == other.subleaf);
    }

    /**
     * @param clearEcx the bits of {@code ECX} to clear
     * @param clearEdx the bits of {@code EDX} to clear
     * @return this entry without those bits
     */
    public CpuidEntry without(int clearEcx, int clearEdx) {
        return new CpuidEntry(leaf, subleaf, indexed, eax, ebx, ecx & ~clearEcx, edx & ~clearEdx);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "CPUID 0x%x%s: eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x", leaf,
                indexed ? String.format(Locale.ROOT, ".0x%x", subleaf) : "", eax, ebx, ecx, edx);
    }
}
