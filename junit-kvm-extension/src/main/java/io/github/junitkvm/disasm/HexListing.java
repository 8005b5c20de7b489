package io.github.junitkvm.disasm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The disassembler of last resort, where Capstone is not installed: it does not decode, but cuts
 * the code into pieces of at most {@value #PIECE} bytes, each an {@link Instruction} without text.
 */
public final class HexListing implements Disassembler {
    /** The most bytes in one piece: as many as a line shows well. */
    static final int PIECE = 16;

    private final String reason;

    /** @param reason why nothing better decodes, for the description */
    public HexListing(String reason) {
        this.reason = reason;
    }

    @Override
    public List<Instruction> disassemble(byte[] code, long address, CodeWidth width, int maxInstructions) {
        List<Instruction> pieces = new ArrayList<>();
        for (int start = 0; start < code.length && pieces.size() < maxInstructions; start += PIECE) {
            int end = Math.min(code.length, start + PIECE);
            pieces.add(new Instruction(address + start, Arrays.copyOfRange(code, start, end), ""));
        }
        return pieces;
    }

    @Override
    public String description() {
        return "hex only, not decoded: " + reason;
    }
}
