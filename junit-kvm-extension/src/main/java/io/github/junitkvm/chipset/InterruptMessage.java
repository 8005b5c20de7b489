package io.github.junitkvm.chipset;

/**
 * An interrupt message between local APICs, as a write of the ICR sends it.
 *
 * @param vector the vector, for the fixed and lowest-priority modes
 * @param deliveryMode the ICR's bits 8–10: 0 fixed, 1 lowest priority, 2 SMI, 4 NMI, 5 INIT, 6 start-up
 * @param logical whether {@code destination} is a logical destination (ICR bit 11)
 * @param shorthand the ICR's bits 18–19: 0 the destination field, 1 self, 2 all, 3 all but self
 * @param destination the destination field, the ICR's bits 56–63
 * @param deassert whether it is a level-triggered de-assert (ICR bits 15 set, 14 clear), which only
 *     an INIT's carries, and which does nothing on a Pentium 4 or later, nor on KVM
 */
record InterruptMessage(int vector, int deliveryMode, boolean logical, int shorthand, int destination,
                        boolean deassert) {
    static final int FIXED = 0;
    static final int LOWEST_PRIORITY = 1;
    static final int NMI = 4;
    static final int INIT = 5;
    static final int START_UP = 6;
    static final int SELF = 1;
    static final int ALL = 2;
    static final int ALL_BUT_SELF = 3;

    static InterruptMessage fromIcr(int low, int high) {
        return new InterruptMessage(low & 0xff, (low >> 8) & 7, (low & 0x800) != 0, (low >> 18) & 3, high >>> 24,
                (low & 0xc000) == 0x8000);
    }
}
