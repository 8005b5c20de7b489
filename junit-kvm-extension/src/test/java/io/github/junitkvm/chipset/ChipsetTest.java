package io.github.junitkvm.chipset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.junitkvm.Device;
import io.github.junitkvm.GuestClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChipsetTest {
    /** The processor IPIs a test sent, as text. */
    private final List<String> signals = new ArrayList<>();
    private final ProcessorSignals recorded = new ProcessorSignals() {
        @Override
        public void nmi(int vcpu) {
            signals.add("NMI " + vcpu);
        }

        @Override
        public void init(int vcpu) {
            signals.add("INIT " + vcpu);
        }

        @Override
        public void startUp(int vcpu, int vector) {
            signals.add(String.format("SIPI %d 0x%02x", vcpu, vector));
        }
    };

    @Test
    void eachVcpuHasItsOwnApicAndTheIcrReachesTheOthers() {
        Chipset chipset = new Chipset(Set.of(Device.PIC, Device.LOCAL_APIC), 3, recorded);
        assertThat(chipset.mmioRead(0, 0xfee00020L, 4)).isEqualTo(0);
        assertThat(chipset.mmioRead(2, 0xfee00020L, 4)).as("APIC ID = vCPU index").isEqualTo(2L << 24);
        chipset.mmioWrite(1, 0xfee000f0L, 4, 0x1ff);              // vCPU 1's APIC enabled
        chipset.mmioWrite(0, 0xfee00310L, 4, 1 << 24);
        chipset.mmioWrite(0, 0xfee00300L, 4, 0x0041);             // fixed 0x41 to APIC 1
        assertThat(chipset.requesting(1)).isTrue();
        assertThat(chipset.requesting(0)).as("the sender's own APIC").isFalse();
        assertThat(chipset.mmioRead(0, 0xfee00300L, 4) & 0x1000).as("delivery status idle").isZero();
        assertThat(chipset.acknowledge(1)).isEqualTo(0x41);
        chipset.mmioWrite(0, 0xfee00310L, 4, 2 << 24);
        chipset.mmioWrite(0, 0xfee00300L, 4, 0xc500);             // INIT, level assert
        chipset.mmioWrite(0, 0xfee00300L, 4, 0x8500);             // INIT, level de-assert: nothing
        chipset.mmioWrite(0, 0xfee00300L, 4, 0x0608);             // start-up at 0x8000
        chipset.mmioWrite(0, 0xfee00300L, 4, 0xc0400);            // NMI to all but self
        assertThat(signals).containsExactly("INIT 2", "SIPI 2 0x08", "NMI 1", "NMI 2");
    }
    @Test
    void anIdleGuestsClockJumpsToTheNextTimerThatRaisesARequest() {
        Chipset chipset = new Chipset(Set.of(Device.PIC, Device.PIT), 1, recorded);
        chipset.portOut(0x21, 1, 0xfa);
        chipset.portOut(0x43, 1, 0x34);
        chipset.portOut(0x40, 1, 1193 & 0xff);
        chipset.portOut(0x40, 1, 1193 >> 8);

        assertThat(chipset.idle(vcpu -> vcpu == 0)).isTrue();
        assertThat(chipset.clock().now()).isEqualTo(Pit8254.nanosOfTick(1193));
        assertThat(chipset.acknowledge(0)).isEqualTo(0x08);
        assertThat(chipset.idle(vcpu -> vcpu == 0)).as("IRQ 0 in service blocks it: nothing can wake the guest").isFalse();
        chipset.portOut(0x20, 1, 0x20);
        assertThat(chipset.requesting(0)).as("the edge latched during the last jump").isTrue();
    }

    @Test
    void anIdleGuestWhoseTimerIsMaskedStopsAfterOneJumpAtMost() {
        Chipset chipset = new Chipset(Set.of(Device.PIC, Device.PIT), 1, recorded);
        chipset.portOut(0x43, 1, 0x34);
        chipset.portOut(0x40, 1, 100);
        chipset.portOut(0x40, 1, 0);

        assertThat(chipset.idle(vcpu -> vcpu == 0)).isFalse();
        assertThat(chipset.idle(vcpu -> vcpu == 0)).isFalse();
        assertThat(chipset.clock().now()).isEqualTo(Pit8254.nanosOfTick(100));
    }

    @Test
    void withoutTimersTheClockNeverMovesForAnIdleGuest() {
        Chipset chipset = new Chipset(Set.of(), 1, recorded);
        assertThat(chipset.idle(vcpu -> vcpu == 0)).isFalse();
        assertThat(chipset.clock().now()).isZero();
        assertThat(chipset.acknowledge(0)).isEqualTo(-1);
        assertThat(chipset.servesPort(0x20)).isFalse();
        assertThatIllegalStateException().isThrownBy(() -> chipset.pulseIrq(4)).withMessageContaining("Device.PIC");
    }

    @Test
    void withALocalApicThePicsInterruptsComeThroughLint0FirstAndStopWhenItIsMasked() {
        Chipset chipset = new Chipset(Set.of(Device.PIC, Device.LOCAL_APIC), 1, recorded);
        chipset.mmioWrite(0, 0xfee000f0L, 4, 0x1ff);
        chipset.mmioWrite(0, 0xfee00350L, 4, 0x700);                // LINT0: ExtINT
        chipset.portOut(0x21, 1, 0xef);
        chipset.pulseIrq(4);
        chipset.mmioWrite(0, 0xfee00300L, 4, 0x4_0050);              // self IPI 0x50
        assertThat(chipset.acknowledge(0)).isEqualTo(0x0c);
        assertThat(chipset.acknowledge(0)).isEqualTo(0x50);

        chipset.portOut(0x20, 1, 0x20);
        chipset.mmioWrite(0, 0xfee00350L, 4, 0x10700);
        chipset.pulseIrq(4);
        assertThat(chipset.requesting(0)).isFalse();
    }

    @Test
    void readsOfCountersTakeVirtualTimeOtherAccessesNone() {
        Chipset chipset = new Chipset(Set.of(Device.PIC, Device.PIT, Device.LOCAL_APIC), 1, recorded);
        chipset.portOut(0x20, 2, 0xff0b);                     // a 16-bit OUT is two: OCW3 to 0x20, the mask to 0x21
        assertThat(chipset.portIn(0x20, 2)).as("ISR, then IMR").isEqualTo(0xff00);
        chipset.portIn(0x43, 1);
        chipset.mmioRead(0, 0xfee00380L, 4);
        assertThat(chipset.clock().now()).isZero();
        chipset.portIn(0x40, 1);
        chipset.portIn(0x61, 1);
        chipset.mmioRead(0, 0xfee00390L, 4);
        assertThat(chipset.clock().now()).isEqualTo(3 * GuestClock.POLL_NANOS);
        assertThat(chipset.ports()).containsExactlyInAnyOrder(0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43, 0x61);
    }

    @Test
    void aLowestPriorityIpiGoesToTheOneAddressedApicOfLowestProcessorPriority() {
        Chipset chipset = new Chipset(Set.of(Device.LOCAL_APIC), 3, recorded);
        for (int vcpu = 1; vcpu <= 2; vcpu++) {
            chipset.mmioWrite(vcpu, 0xfee000f0L, 4, 0x1ff);
            chipset.mmioWrite(vcpu, 0xfee000d0L, 4, 1 << 24 + vcpu);      // logical ID: bit 1, bit 2 (flat)
        }
        chipset.mmioWrite(1, 0xfee00080L, 4, 0x20);                      // TPRs: vCPU 2's is lower
        chipset.mmioWrite(2, 0xfee00080L, 4, 0x10);
        chipset.mmioWrite(0, 0xfee00310L, 4, 0x06 << 24);
        chipset.mmioWrite(0, 0xfee00300L, 4, 0x0951);                     // logical, lowest priority, 0x51

        assertThat(chipset.requesting(2)).isTrue();
        assertThat(chipset.requesting(1)).as("one APIC takes it").isFalse();

        chipset.mmioWrite(2, 0xfee00080L, 4, 0x20);                      // equal: the lower APIC ID
        chipset.mmioWrite(0, 0xfee00300L, 4, 0x0952);
        assertThat(chipset.acknowledge(1)).isEqualTo(0x52);
    }

    @Test
    void timersDueAfterTheClocksEndNeverWakeTheGuest() {
        Chipset chipset = new Chipset(Set.of(Device.PIC, Device.PIT, Device.LOCAL_APIC), 1, recorded);
        chipset.clock().advanceTo(Long.MAX_VALUE - 500);
        chipset.portOut(0x21, 1, 0xfa);
        chipset.portOut(0x43, 1, 0x34);
        chipset.portOut(0x40, 1, 0);
        chipset.portOut(0x40, 1, 0);
        chipset.mmioWrite(0, 0xfee000f0L, 4, 0x1ff);
        chipset.mmioWrite(0, 0xfee00320L, 4, 0x2_0040);
        chipset.mmioWrite(0, 0xfee00380L, 4, 1000);

        assertThat(chipset.idle(vcpu -> vcpu == 0)).isFalse();
        assertThat(chipset.clock().now()).isEqualTo(Long.MAX_VALUE - 500);
    }
}
