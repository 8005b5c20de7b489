package io.github.junitkvm.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Capstone through JNA ({@code libcapstone4}), decoding the same bytes as 16-, 32- and 64-bit code. */
class CapstoneTest {
    private final Disassembler capstone = Capstone.load(Capstone.LIBRARY);

    @Test
    void decodesRealModeCode() {
        List<Instruction> code = capstone.disassemble(hex("ba f8 03 b0 61 ee f4"), 0x1000, CodeWidth.BITS_16, 10);

        assertThat(code).containsExactly(
                new Instruction(0x1000, hex("ba f8 03"), "mov dx, 0x3f8"),
                new Instruction(0x1003, hex("b0 61"), "mov al, 0x61"),
                new Instruction(0x1005, hex("ee"), "out dx, al"),
                new Instruction(0x1006, hex("f4"), "hlt"));
    }

    @Test
    void theWidthDecidesWhatTheBytesMean() {
        byte[] bytes = hex("ba f8 03 00 00 48 89 c7");

        assertThat(capstone.disassemble(bytes, 0, CodeWidth.BITS_32, 10)).extracting(Instruction::text)
                .containsExactly("mov edx, 0x3f8", "dec eax", "mov edi, eax");
        assertThat(capstone.disassemble(bytes, 0, CodeWidth.BITS_64, 10)).extracting(Instruction::text)
                .containsExactly("mov edx, 0x3f8", "mov rdi, rax");
    }

    @Test
    void stopsAtTheLimitAndBeforeACutOffInstruction() {
        assertThat(capstone.disassemble(hex("90 90 90"), 0, CodeWidth.BITS_16, 2)).hasSize(2);
        assertThat(capstone.disassemble(hex("90 ba f8"), 0, CodeWidth.BITS_16, 10))
                .containsExactly(new Instruction(0, hex("90"), "nop"));
        assertThat(capstone.disassemble(new byte[0], 0, CodeWidth.BITS_16, 10)).isEmpty();
    }

    @Test
    void saysWhichCapstoneItIs() {
        assertThat(capstone.description()).startsWith("Capstone 4.");
    }

    @Test
    void thePreferredDisassemblerIsCapstoneWhereItIsInstalled() {
        assertThat(Disassemblers.preferred()).isInstanceOf(Capstone.class);
    }

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }
}
