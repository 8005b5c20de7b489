package io.github.junitkvm.disasm;

import static io.github.junitkvm.disasm.CapstoneTest.hex;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Without Capstone, reports show the code as hex and say why. */
class HexListingTest {

    @Test
    void aMissingCapstoneFallsBackToHexSayingWhatToInstall() {
        Disassembler fallback = Disassemblers.load("libcapstone-not-here.so.4");

        assertThat(fallback).isInstanceOf(HexListing.class);
        assertThat(fallback.description()).startsWith("hex only, not decoded: libcapstone-not-here.so.4 could not be loaded (")
                .endsWith("); install it with apt-get install libcapstone4");
    }

    @Test
    void cutsTheCodeIntoPiecesOfSixteenBytesWithoutText() {
        HexListing hex = new HexListing("test");
        byte[] code = hex("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11");

        assertThat(hex.disassemble(code, 0x1000, CodeWidth.BITS_16, 5))
                .containsExactly(new Instruction(0x1000, hex("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"), ""),
                        new Instruction(0x1010, hex("10 11"), ""));
        assertThat(hex.disassemble(code, 0x1000, CodeWidth.BITS_16, 1)).hasSize(1);
    }
}
