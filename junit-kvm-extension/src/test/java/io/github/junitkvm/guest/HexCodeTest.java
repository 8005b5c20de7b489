package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            f\u0663     | U+0663 at position 1
            \uff464     | U+FF46 at position 0
            \u0ed0\u0ed0 | U+0ED0 at position 0
            f4\u00a0f4   | U+00A0 at position 2
            f4\u001cf4   | U+001C at position 2
            '\u001b[2J' | U+001B at position 0
            """)
    void takesOnlyAsciiDigitsAndWhitespaceNamingAnyOtherCharacterByItsCodePoint(String text, String named) {
        assertThatIllegalArgumentException().isThrownBy(() -> HexCode.parse(text))
                .withMessage("%s is not a hex digit (bytes are pairs of 0-9, a-f or A-F, such as \"f4\")", named);
    }

    @Test
    void parsesEveryAsciiDigitAndLetter() {
        assertThat(HexCode.parse("0123456789abcdefABCDEF")).containsExactly(
                0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xab, 0xcd, 0xef);
    }
}
