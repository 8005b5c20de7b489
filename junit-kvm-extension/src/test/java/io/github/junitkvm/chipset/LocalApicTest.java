package io.github.junitkvm.chipset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LocalApicTest {
    private static final int TPR = 0x80;
    private static final int PPR = 0xa0;
    private static final int EOI = 0xb0;
    private static final int SVR = 0xf0;
    private static final int ISR = 0x100;
    private static final int IRR = 0x200;
    private static final int ESR = 0x280;
    private static final int ICR_LOW = 0x300;
    private static final int ICR_HIGH = 0x310;
    private static final int LVT_TIMER = 0x320;
    private static final int LVT_LINT0 = 0x350;
    private static final int LVT_ERROR = 0x370;
    private static final int INITIAL_COUNT = 0x380;
    private static final int CURRENT_COUNT = 0x390;
    private static final int DIVIDE = 0x3e0;

    private final VirtualClock clock = new VirtualClock();
    private final LocalApic apic = new LocalApic(0, clock, new ApicBus(null));

    @Test
    void startsAsKvmResetsTheBootstrapProcessorsSoftwareDisabledWithLint0PassingThePic() {
        assertThat(read(0x30)).as("version").isEqualTo(0x50014);
        assertThat(read(SVR)).isEqualTo(0xff);
        assertThat(read(LVT_TIMER)).isEqualTo(0x10000);
        assertThat(apic.passesPicInterrupts()).isTrue();
        selfIpi(0x40);
        assertThat(apic.requesting()).as("software-disabled").isFalse();
        write(SVR, 0x1ff);
        assertThat(apic.requesting()).isTrue();
    }

    @Test
    void disablingBySvrMasksEveryLvtAndTheyStayMaskedUntilEnabled() {
        write(SVR, 0x1ff);
        write(SVR, 0x0ff);
        assertThat(read(LVT_LINT0) & 0x10000).isNotZero();
        assertThat(apic.passesPicInterrupts()).isFalse();
        write(LVT_TIMER, 0x40);
        assertThat(read(LVT_TIMER)).isEqualTo(0x10040);
        write(SVR, 0x1ff);
        write(LVT_TIMER, 0x40);
        assertThat(read(LVT_TIMER)).isEqualTo(0x40);
    }

    @Test
    void priorityGoesByVectorClassAgainstTprAndTheClassInService() {
        write(SVR, 0x1ff);
        selfIpi(0x51);
        selfIpi(0x62);
        assertThat(read(IRR + 0x20)).as("IRR bits 0x40-0x5f").isEqualTo(1 << 0x11);
        assertThat(apic.acknowledge()).isEqualTo(0x62);
        assertThat(read(PPR)).isEqualTo(0x60);
        assertThat(apic.requesting()).as("0x51's class is below 0x62's in service").isFalse();
        selfIpi(0x6f);
        assertThat(apic.requesting()).as("the same class waits too").isFalse();
        selfIpi(0x70);
        assertThat(apic.acknowledge()).isEqualTo(0x70);
        assertThat(read(ISR + 0x30)).isEqualTo(1 << 0x10 | 1 << 0x02);
        write(EOI, 0);
        write(EOI, 0);
        assertThat(read(ISR + 0x30)).isZero();
        write(TPR, 0x6f);
        assertThat(read(PPR)).isEqualTo(0x6f);
        assertThat(apic.requesting()).as("TPR class 6 holds back 0x6f and 0x51").isFalse();
        write(TPR, 0x50);
        assertThat(apic.acknowledge()).isEqualTo(0x6f);
        write(EOI, 0);
        assertThat(apic.requesting()).as("0x51: class 5 is not above TPR's 5").isFalse();
        write(TPR, 0);
        assertThat(apic.acknowledge()).isEqualTo(0x51);
    }

    @Test
    void anAcknowledgeWithNothingDeliverableGetsTheSpuriousVector() {
        write(SVR, 0x1ee);
        assertThat(apic.acknowledge()).isEqualTo(0xee);
    }

    @Test
    void illegalVectorsAreErrorsLatchedInEsrByAWriteAndRaiseTheErrorLvt() {
        write(SVR, 0x1ff);
        write(LVT_ERROR, 0xe0);
        selfIpi(0x05);
        assertThat(read(ESR)).as("not yet latched").isZero();
        write(ESR, 0);
        assertThat(read(ESR)).as("send illegal vector").isEqualTo(0x20);
        assertThat(apic.acknowledge()).isEqualTo(0xe0);
    }

    @Test
    void aFixedIpiToItsOwnIdArrivesAndOnesToOthersVanish() {
        write(SVR, 0x1ff);
        write(ICR_HIGH, 0x0100_0000);
        write(ICR_LOW, 0x41);
        assertThat(apic.requesting()).as("APIC 1 is not there").isFalse();
        write(ICR_HIGH, 0);
        write(ICR_LOW, 0x41);
        assertThat(read(ICR_LOW)).as("delivery status idle").isEqualTo(0x41);
        assertThat(apic.acknowledge()).isEqualTo(0x41);
    }

    @Test
    void anSmiIpiFailsSayingWhat() {
        write(SVR, 0x1ff);
        assertThatThrownBy(() -> write(ICR_LOW, 0x4_0200)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("delivery mode 2");
    }

    @Test
    void oneShotTimerCountsTheBusClockDividedAndFiresOnce() {
        write(SVR, 0x1ff);
        write(DIVIDE, 0x3);                                           // divide by 16
        write(LVT_TIMER, 0x40);
        write(INITIAL_COUNT, 1000);
        assertThat(clock.nextDeadline()).isEqualTo(16_000);
        clock.advanceTo(160);
        assertThat(read(CURRENT_COUNT)).isEqualTo(990);
        clock.advanceTo(16_000);
        assertThat(read(CURRENT_COUNT)).isZero();
        assertThat(apic.acknowledge()).isEqualTo(0x40);
        write(EOI, 0);
        clock.advanceTo(1_000_000);
        assertThat(apic.requesting()).isFalse();
        assertThat(clock.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void periodicTimerReloadsAndAChangedDivideKeepsTheCount() {
        write(SVR, 0x1ff);
        write(DIVIDE, 0xb);                                           // divide by 1
        write(LVT_TIMER, 0x2_0041);
        write(INITIAL_COUNT, 100);
        clock.advanceTo(250);
        assertThat(read(CURRENT_COUNT)).isEqualTo(50);
        assertThat(apic.acknowledge()).isEqualTo(0x41);
        write(EOI, 0);
        assertThat(clock.nextDeadline()).isEqualTo(300);
        write(DIVIDE, 0x0);                                           // divide by 2: 50 left take 100 ns
        assertThat(read(CURRENT_COUNT)).isEqualTo(50);
        assertThat(clock.nextDeadline()).isEqualTo(350);
    }

    @Test
    void aMaskedTimerRaisesNothingAndHasNoDeadline() {
        write(SVR, 0x1ff);
        write(LVT_TIMER, 0x3_0041);
        write(INITIAL_COUNT, 100);
        assertThat(clock.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        clock.advanceTo(10_000);
        assertThat(apic.requesting()).isFalse();
    }

    @Test
    void registersReadWholeOrInBytesAndOddWritesAreIgnored() {
        write(SVR, 0x1ff);
        assertThat(apic.read(SVR + 1, 1)).isEqualTo(0x01);
        assertThat(apic.read(SVR + 2, 4)).as("across words").isZero();
        apic.write(TPR, 1, 0x20);
        assertThat(read(TPR)).isZero();
    }

    private void selfIpi(int vector) {
        write(ICR_LOW, 0x4_0000 | vector);
    }

    private int read(int offset) {
        return (int) apic.read(offset, 4);
    }

    private void write(int offset, int value) {
        apic.write(offset, 4, Integer.toUnsignedLong(value));
    }
}
