package io.github.junitkvm.disasm;

/** Chooses the disassembler of failure reports: Capstone where it is installed, else hex. */
public final class Disassemblers {
    private static Disassembler preferred;

    private Disassemblers() {
    }

    /**
     * Loads Capstone on the first call and keeps the choice for the JVM's life.
     *
     * @return Capstone ({@value Capstone#LIBRARY}), or a {@link HexListing} that says why not
     */
    public static synchronized Disassembler preferred() {
        if (preferred == null) {
            preferred = load(Capstone.LIBRARY);
        }
        return preferred;
    }

    /**
     * @param library the shared library to try
     * @return Capstone from that library, or a {@link HexListing} that says why it could not be used
     */
    static Disassembler load(String library) {
        try {
            return Capstone.load(library);
        } catch (IllegalStateException e) {
            return new HexListing(e.getMessage());
        }
    }
}
