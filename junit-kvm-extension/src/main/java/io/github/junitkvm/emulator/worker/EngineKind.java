package io.github.junitkvm.emulator.worker;

/**
 * The width of the code the CPU runs when a run stops, which names its instruction pointer in
 * messages (IP, EIP or RIP) and decides how instruction bytes decode. Every engine is a
 * {@code UC_MODE_64} one; the guest's own mode switches change the width, as on a CPU.
 */
enum EngineKind {
    /** Real mode, or a 16-bit code segment. */
    SIXTEEN_BIT,
    /** A 32-bit code segment, in protected mode or long mode's compatibility mode. */
    THIRTY_TWO_BIT,
    /** A 64-bit code segment in long mode. */
    SIXTY_FOUR_BIT
}
