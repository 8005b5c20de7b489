package io.github.junitkvm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a guest's text may not bring into a failure message as it is. */
class GuestTextTest {
    @Test
    void lineBreaksAndEscapeSequencesAreEscaped() {
        assertThat(GuestText.escape("a\nb\rc\td\u001b[31me\u0000f\u007fg"))
                .isEqualTo("a\\nb\\rc\\td\\x1b[31me\\x00f\\x7fg");
    }

    @Test
    void c1ControlsAndUnicodeLineSeparatorsAreEscaped() {
        assertThat(GuestText.escape("nel\u0085csi\u009bls\u2028ps\u2029"))
                .isEqualTo("nel\\x85csi\\x9bls\\u2028ps\\u2029");
    }

    @Test
    void bidiControlsAndInvisibleCharactersAreEscaped() {
        assertThat(GuestText.escape("rlo\u202eisolate\u2066pdi\u2069rlm\u200falm\u061czw\u200bbom\ufeff"))
                .isEqualTo("rlo\\u202eisolate\\u2066pdi\\u2069rlm\\u200falm\\u061czw\\u200bbom\\ufeff");
    }

    @Test
    void anUnpairedSurrogateIsEscapedAndAPairIsKept() {
        assertThat(GuestText.escape("lone\ud83d!")).isEqualTo("lone\\ud83d!");
        assertThat(GuestText.escape("pair \ud83d\ude00")).isEqualTo("pair \ud83d\ude00");
    }

    @Test
    void printableTextStaysAsItIsInAnyScript() {
        String text = "wörld, 日本語, Ελληνικά, עברית, \"quoted\" \\ back";
        assertThat(GuestText.escape(text)).isSameAs(text);
    }

    @Test
    void aLiteralEscapesQuotesAndEverythingOutsidePrintableAscii() {
        assertThat(GuestText.literal("say \"hi\"\n\u001b[0m caf\u00e9 \u202e"))
                .isEqualTo("say \\\"hi\\\"\\n\\x1b[0m caf\\xe9 \\u202e");
    }
}
