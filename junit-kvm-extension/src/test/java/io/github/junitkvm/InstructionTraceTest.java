package io.github.junitkvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstructionTraceTest {

    @Test
    void isAValueWithItsOwnCopyOfTheAddresses() {
        List<Long> addresses = new ArrayList<>(List.of(0x1000L, 0x1002L));
        InstructionTrace trace = new InstructionTrace(addresses, 2);
        addresses.clear();

        assertThat(trace).isEqualTo(new InstructionTrace(List.of(0x1000L, 0x1002L), 2));
        assertThat(trace.addresses()).containsExactly(0x1000L, 0x1002L);
    }

    @Test
    void cannotHoldMoreAddressesThanInstructions() {
        assertThatThrownBy(() -> new InstructionTrace(List.of(1L, 2L), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a trace of 2 addresses cannot come from 1 executed instructions");
    }

    @Test
    void readsAsTheCountAndTheLastAddresses() {
        assertThat(new InstructionTrace(List.of(0x1000L, 0x1002L), 2)).hasToString("2 instructions: 0x1000 0x1002");
        assertThat(new InstructionTrace(List.of(0x1002L), 9)).hasToString("9 instructions, the last 1: 0x1002");
        List<Long> many = new ArrayList<>();
        for (long a = 0; a < 20; a++) {
            many.add(a);
        }
        assertThat(new InstructionTrace(many, 20)).hasToString("20 instructions, the last 8: 0xc 0xd 0xe 0xf 0x10 0x11 0x12 0x13");
        assertThat(InstructionTrace.empty()).hasToString("0 instructions");
    }
}
