package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BaselineOutputTest {
    private final BaselineOutput output = BaselineOutput.parse("ns=1234\ncount=10\nserial=340a\nexits=3\nnoise\n");

    @Test
    void readsNumbersAndTheSerialOutput() {
        assertThat(output.number("ns")).isEqualTo(1234);
        assertThat(output.number("count")).isEqualTo(10);
        assertThat(output.serial()).isEqualTo("4\n");
    }

    @Test
    void anEmptySerialOutputIsEmpty() {
        assertThat(BaselineOutput.parse("serial=\n").serial()).isEmpty();
    }

    @Test
    void aMissingKeyNamesItAndWhatWasPrinted() {
        assertThatThrownBy(() -> output.number("rss_after_kib"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the C baseline printed no rss_after_kib= line; it printed {ns=1234");
    }

    @Test
    void aValueThatIsNoNumberSaysSo() {
        assertThatThrownBy(() -> BaselineOutput.parse("ns=fast").number("ns"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the C baseline printed ns=fast, not a number");
    }
}
