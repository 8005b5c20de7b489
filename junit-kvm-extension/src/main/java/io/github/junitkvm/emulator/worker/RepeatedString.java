package io.github.junitkvm.emulator.worker;

/**
 * Recognises Unicorn's extra pass over a {@code REP} string instruction. Unicorn runs each
 * iteration as one pass over the instruction and, after the last, enters it once more to find the
 * count exhausted and leave; its code hook sees that pass too, where a CPU single-stepped (KVM's
 * trace) completes the instruction with its last iteration. The pass to drop is the one that
 * repeats the instruction just traced with the count (CX, ECX or RCX, by the address size) at 0;
 * an instruction entered with the count at 0 follows another one and is traced, as on a CPU.
 */
final class RepeatedString {
    private static final int REPNE = 0xf2;
    private static final int REP = 0xf3;
    private static final int ADDRESS_SIZE = 0x67;
    private static final int MAX_PREFIXES = 14;

    private RepeatedString() {
    }

    /**
     * @param code the instruction's bytes, up to 15; null if they are not RAM
     * @param width the code width the CPU runs
     * @return the count register's width in bits, 16, 32 or 64, if the bytes are a string
     *     instruction with a {@code REP}, {@code REPE} or {@code REPNE} prefix; 0 otherwise
     */
    static int countWidth(byte[] code, EngineKind width) {
        if (code == null) {
            return 0;
        }
        boolean repeated = false;
        boolean otherAddressSize = false;
        for (int i = 0; i < code.length && i <= MAX_PREFIXES; i++) {
            int b = code[i] & 0xff;
            if (b == REP || b == REPNE) {
                repeated = true;
            } else if (b == ADDRESS_SIZE) {
                otherAddressSize = true;
            } else if (!isOtherPrefix(b, width)) {
                return repeated && isString(b) ? addressWidth(width, otherAddressSize) : 0;
            }
        }
        return 0;
    }

    private static boolean isOtherPrefix(int b, EngineKind width) {
        return b == 0x66 || b == 0xf0 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65
                || width == EngineKind.SIXTY_FOUR_BIT && (b & 0xf0) == 0x40;
    }

    /** INS, OUTS, MOVS, CMPS, STOS, LODS, SCAS: 6c–6f, a4–a7, aa–af. */
    private static boolean isString(int opcode) {
        return opcode >= 0x6c && opcode <= 0x6f || opcode >= 0xa4 && opcode <= 0xa7 || opcode >= 0xaa && opcode <= 0xaf;
    }

    private static int addressWidth(EngineKind width, boolean other) {
        return switch (width) {
            case SIXTEEN_BIT -> other ? 32 : 16;
            case THIRTY_TWO_BIT -> other ? 16 : 32;
            case SIXTY_FOUR_BIT -> other ? 32 : 64;
        };
    }
}
