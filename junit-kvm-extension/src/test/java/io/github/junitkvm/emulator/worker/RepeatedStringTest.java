package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RepeatedStringTest {
    private static int width(String hex, EngineKind kind) {
        return RepeatedString.countWidth(HexFormat.of().parseHex(hex.replace(" ", "")), kind);
    }

    @Test
    void theCountFollowsTheAddressSize() {
        assertThat(width("f3 aa", EngineKind.SIXTEEN_BIT)).isEqualTo(16);
        assertThat(width("67 f3 aa", EngineKind.SIXTEEN_BIT)).isEqualTo(32);
        assertThat(width("f3 a5", EngineKind.THIRTY_TWO_BIT)).isEqualTo(32);
        assertThat(width("f3 67 a5", EngineKind.THIRTY_TWO_BIT)).isEqualTo(16);
        assertThat(width("f3 48 a5", EngineKind.SIXTY_FOUR_BIT)).isEqualTo(64);
        assertThat(width("67 f2 ae", EngineKind.SIXTY_FOUR_BIT)).isEqualTo(32);
        assertThat(width("f3 2e 66 6e", EngineKind.THIRTY_TWO_BIT)).as("REP OUTSW with CS").isEqualTo(32);
    }

    @Test
    void onlyRepeatedStringInstructionsCount() {
        assertThat(width("aa", EngineKind.SIXTEEN_BIT)).as("STOSB alone").isZero();
        assertThat(width("f3 90", EngineKind.THIRTY_TWO_BIT)).as("PAUSE").isZero();
        assertThat(width("f3 48 0f b8 c0", EngineKind.SIXTY_FOUR_BIT)).as("POPCNT").isZero();
        assertThat(width("48 f3 a5", EngineKind.THIRTY_TWO_BIT)).as("DEC EAX first, outside 64-bit code").isZero();
        assertThat(RepeatedString.countWidth(null, EngineKind.SIXTEEN_BIT)).as("not RAM").isZero();
    }
}
