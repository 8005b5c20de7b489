package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class HexCodeTest {
    @Test
    void parsesPairsSeparatedByAnyWhitespace() {
        assertThat(HexCode.parse(" ba f8\n03\t00  F4 ")).containsExactly(0xba, 0xf8, 0x03, 0x00, 0xf4);
    }

    @Test
    void parsesPairsWrittenTogether() {
        assertThat(HexCode.parse("eb fe90")).containsExactly(0xeb, 0xfe, 0x90);
    }

    @Test
    void emptyTextIsNoCode() {
        assertThat(HexCode.parse("  ")).isEmpty();
    }

    @Test
    void namesTheCharacterThatIsNotHex() {
        assertThatIllegalArgumentException().isThrownBy(() -> HexCode.parse("ba zz"))
                .withMessageContaining("'z' at position 3 is not a hex digit");
    }

    @Test
    void refusesAByteSplitByWhitespace() {
        assertThatIllegalArgumentException().isThrownBy(() -> HexCode.parse("b a"))
                .withMessageContaining("whitespace at position 1 is not a hex digit");
    }

    @Test
    void refusesAHalfByteAtTheEnd() {
        assertThatIllegalArgumentException().isThrownBy(() -> HexCode.parse("f4 0"))
                .withMessageContaining("'0' at position 3 is half a byte");
    }
}
