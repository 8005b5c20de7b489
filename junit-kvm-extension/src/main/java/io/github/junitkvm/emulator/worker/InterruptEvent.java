package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_X86_REG_CR2;

import java.util.Locale;

/** Describes an interrupt or exception for a person, as a shutdown's description names its cause. */
final class InterruptEvent {

    private InterruptEvent() {
    }

    /**
     * @param vector the vector
     * @param software whether an instruction raised it ({@code INT n}, {@code INT3}, {@code INTO})
     * @param errorCode the CPU's error code, shown for a CPU exception when it is not 0
     * @param address the linear address of the instruction pointer when it was raised
     * @param port the engine's registers, for CR2 of a page fault
     * @return for example {@code #GP general protection (vector 13), error code 0x10, at linear 0x1004}
     */
    static String describe(int vector, boolean software, int errorCode, long address, RegisterPort port) {
        StringBuilder text = new StringBuilder(software
                ? String.format(Locale.ROOT, "software interrupt (vector %d), the instruction before linear 0x%x",
                        vector, address)
                : String.format(Locale.ROOT, "%s (vector %d) at linear 0x%x", CpuExceptions.name(vector), vector,
                        address));
        if (!software && errorCode != 0) {
            text.append(String.format(Locale.ROOT, ", error code 0x%x", errorCode));
        }
        if (!software && vector == CpuExceptions.PAGE_FAULT) {
            text.append(String.format(Locale.ROOT, ", CR2 0x%x", port.read(UC_X86_REG_CR2)));
        }
        return text.toString();
    }
}
