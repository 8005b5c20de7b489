package io.github.junitkvm.emulator.worker;

import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MODE_16;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MODE_32;
import static io.github.junitkvm.emulator.unicorn.UnicornConstants.UC_MODE_64;

import io.github.junitkvm.CpuMode;

/**
 * The Unicorn engine a CPU mode needs. Unicorn fixes an engine's mode when it is opened, so the
 * machine's {@link CpuMode} picks it: 16-bit for {@code REAL}, 32-bit for {@code PROTECTED} and
 * {@code PAGED}, 64-bit for {@code LONG}.
 */
enum EngineKind {
    /**
     * Reaches 1 MiB plus the high memory area that {@code FFFF:FFFF} addresses, so holes between RAM
     * regions below 0x110000 are MMIO.
     */
    SIXTEEN_BIT(UC_MODE_16, "UC_MODE_16", 0x110000),
    /** Reaches 4 GiB: every hole below it is MMIO. */
    THIRTY_TWO_BIT(UC_MODE_32, "UC_MODE_32", 1L << 32),
    /**
     * Holes below 4 GiB are MMIO, as in 32-bit modes; above, accesses outside RAM are emulator
     * faults (an unmapped access), since mapping terabytes of MMIO would only slow the engine down.
     */
    SIXTY_FOUR_BIT(UC_MODE_64, "UC_MODE_64", 1L << 32);

    private final int ucMode;
    private final String ucName;
    private final long mmioLimit;

    EngineKind(int ucMode, String ucName, long mmioLimit) {
        this.ucMode = ucMode;
        this.ucName = ucName;
        this.mmioLimit = mmioLimit;
    }

    /** @param mode the guest's CPU mode @return the engine that runs it */
    static EngineKind of(CpuMode mode) {
        return switch (mode) {
            case REAL -> SIXTEEN_BIT;
            case PROTECTED, PAGED -> THIRTY_TWO_BIT;
            case LONG -> SIXTY_FOUR_BIT;
        };
    }

    /** @return the {@code uc_mode} for {@code uc_open} */
    int ucMode() {
        return ucMode;
    }

    /** @return the {@code uc_mode}'s C name */
    String ucName() {
        return ucName;
    }

    /** @return the end of the address range whose holes between RAM regions are MMIO */
    long mmioLimit() {
        return mmioLimit;
    }

    /**
     * @param port the engine's registers
     * @param ram the engine's RAM, for descriptor-table reads
     * @return the registers as this kind of engine has them
     */
    ModeRegisters registers(RegisterPort port, GdtSegments.Ram ram) {
        return switch (this) {
            case SIXTEEN_BIT -> new RealModeRegisters(port);
            case THIRTY_TWO_BIT -> new ProtectedModeRegisters(port, ram);
            case SIXTY_FOUR_BIT -> new LongModeRegisters(port, ram);
        };
    }
}
