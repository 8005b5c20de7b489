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
    void cutsTheCodeIntoPiecesOfEightBytesWithoutText() {
        HexListing hex = new HexListing("test");

        assertThat(hex.disassemble(hex("00 01 02 03 04 05 06 07 08 09"), 0x1000, CodeWidth.BITS_16, 5))
                .containsExactly(new Instruction(0x1000, hex("00 01 02 03 04 05 06 07"), ""),
                        new Instruction(0x1008, hex("08 09"), ""));
        assertThat(hex.disassemble(hex("00 01 02 03 04 05 06 07 08 09"), 0x1000, CodeWidth.BITS_16, 1)).hasSize(1);
    }
}
