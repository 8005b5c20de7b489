package io.github.junitkvm.chipset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PicPairTest {
    private final PicPair pic = new PicPair();

    /** The initialization a PC's OS makes: vectors 0x20 and 0x28, cascade, 8086 mode, all unmasked. */
    @BeforeEach
    void initializeAsLinuxDoes() {
        initialize(0x01);
    }

    private void initialize(int icw4) {
        pic.write(0x20, 0x11);
        pic.write(0x21, 0x20);
        pic.write(0x21, 0x04);
        pic.write(0x21, icw4);
        pic.write(0xa0, 0x11);
        pic.write(0xa1, 0x28);
        pic.write(0xa1, 0x02);
        pic.write(0xa1, icw4);
        pic.write(0x21, 0x00);
        pic.write(0xa1, 0x00);
    }

    @Test
    void startsAsABiosLeavesItVectors8And0x70EverythingMaskedButTheCascade() {
        PicPair fresh = new PicPair();
        assertThat(fresh.read(0x21)).isEqualTo(0xfb);
        assertThat(fresh.read(0xa1)).isEqualTo(0xff);
        fresh.write(0x21, 0xfa);
        fresh.pulse(0);
        assertThat(fresh.acknowledge()).isEqualTo(0x08);
        fresh.write(0xa1, 0xfe);
        fresh.pulse(8);
        fresh.write(0x20, 0x20);
        assertThat(fresh.acknowledge()).isEqualTo(0x70);
    }

    @Test
    void icw2SetsTheVectorsAndAnEdgeIsAcknowledgedOnce() {
        pic.pulse(1);
        assertThat(pic.requesting()).isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x21);
        assertThat(pic.requesting()).isFalse();
    }

    @Test
    void maskedRequestsStayLatchedUntilUnmasked() {
        pic.write(0x21, 0x01);
        pic.pulse(0);
        assertThat(pic.requesting()).isFalse();
        assertThat(pic.read(0x20)).as("IRR").isEqualTo(0x01);
        pic.write(0x21, 0x00);
        assertThat(pic.acknowledge()).isEqualTo(0x20);
    }

    @Test
    void aLowerNumberedIrqHasTheHigherPriorityAndAnIrqInServiceBlocksLowerOnes() {
        pic.pulse(3);
        pic.pulse(5);
        assertThat(pic.acknowledge()).isEqualTo(0x23);
        assertThat(pic.requesting()).as("IRQ 5 waits while IRQ 3 is in service").isFalse();
        pic.pulse(1);
        assertThat(pic.acknowledge()).as("IRQ 1 nests above IRQ 3").isEqualTo(0x21);
        pic.write(0x20, 0x0b);                                   // OCW3: read ISR
        assertThat(pic.read(0x20)).isEqualTo(0x0a);
        pic.write(0x20, 0x20);                                   // non-specific EOI: the highest, IRQ 1
        assertThat(pic.read(0x20)).isEqualTo(0x08);
        pic.write(0x20, 0x20);
        assertThat(pic.acknowledge()).isEqualTo(0x25);
    }

    @Test
    void specificEoiEndsTheNamedLevel() {
        pic.pulse(1);
        pic.acknowledge();
        pic.pulse(0);
        pic.acknowledge();
        pic.write(0x20, 0x0b);
        assertThat(pic.read(0x20)).isEqualTo(0x03);
        pic.write(0x20, 0x61);                                   // specific EOI, level 1
        assertThat(pic.read(0x20)).isEqualTo(0x01);
        pic.write(0x20, 0x0a);                                   // OCW3: read IRR again
        pic.pulse(4);
        assertThat(pic.read(0x20)).isEqualTo(0x10);
    }

    @Test
    void rotationMakesTheServedIrqTheLowestPriority() {
        pic.pulse(0);
        pic.acknowledge();
        pic.write(0x20, 0xa0);                                   // rotate on non-specific EOI
        pic.pulse(0);
        pic.pulse(1);
        assertThat(pic.acknowledge()).as("IRQ 0 is now the lowest").isEqualTo(0x21);
        pic.write(0x20, 0xc4);                                   // set priority: IRQ 4 lowest, 5 highest
        pic.write(0x20, 0x20);
        pic.pulse(5);
        assertThat(pic.acknowledge()).isEqualTo(0x25);
    }

    @Test
    void autoEoiLeavesNothingInService() {
        initialize(0x03);
        pic.pulse(0);
        assertThat(pic.acknowledge()).isEqualTo(0x20);
        pic.write(0x20, 0x0b);
        assertThat(pic.read(0x20)).isZero();
        pic.pulse(2 + 1);
        assertThat(pic.requesting()).isTrue();
    }

    @Test
    void theSlaveInterruptsThroughIrq2AndNeedsAnEoiOnBothChips() {
        pic.pulse(12);
        assertThat(pic.read(0x20) & 0x04).as("master IRR bit 2 follows the slave").isEqualTo(0x04);
        assertThat(pic.acknowledge()).isEqualTo(0x2c);
        pic.pulse(9);
        assertThat(pic.requesting()).as("IRQ 2 in service on the master").isFalse();
        pic.write(0xa0, 0x20);
        assertThat(pic.requesting()).isFalse();
        pic.write(0x20, 0x20);
        assertThat(pic.acknowledge()).isEqualTo(0x29);
    }

    @Test
    void twoSlaveRequestsAreBothDelivered() {
        pic.pulse(9);
        pic.pulse(10);
        assertThat(pic.acknowledge()).isEqualTo(0x29);
        pic.write(0xa0, 0x20);
        pic.write(0x20, 0x20);
        assertThat(pic.acknowledge()).isEqualTo(0x2a);
    }

    @Test
    void anAcknowledgeFindingNoRequestGetsTheSpuriousIrq7WithNothingInService() {
        assertThat(pic.acknowledge()).isEqualTo(0x27);
        pic.write(0x20, 0x0b);
        assertThat(pic.read(0x20)).isZero();
    }

    @Test
    void aSlaveRequestThatWentAwayIsSpuriousIrq15WithIrq2InServiceOnTheMaster() {
        pic.pulse(11);
        assertThat(pic.requesting()).isTrue();
        pic.write(0xa1, 0x08);                                   // masked between the request and the acknowledge
        assertThat(pic.acknowledge()).isEqualTo(0x2f);
        pic.write(0x20, 0x0b);
        assertThat(pic.read(0x20)).as("master ISR").isEqualTo(0x04);
        pic.write(0xa0, 0x0b);
        assertThat(pic.read(0xa0)).as("slave ISR").isZero();
    }

    @Test
    void pollModeAcknowledgesThroughAReadOfTheCommandPort() {
        pic.pulse(6);
        pic.write(0x20, 0x0c);
        assertThat(pic.read(0x20)).isEqualTo(0x86);
        pic.write(0x20, 0x0c);
        assertThat(pic.read(0x20)).as("nothing left").isZero();
    }

    @Test
    void irq2IsTheCascadeAndIrqsAreZeroToFifteen() {
        assertThatIllegalArgumentException().isThrownBy(() -> pic.pulse(2)).withMessageContaining("IRQ 9");
        assertThatIllegalArgumentException().isThrownBy(() -> pic.pulse(16)).withMessageContaining("0 to 15");
    }
}
