package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.junitkvm.GuestLibrary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicesTest {
    private static final int COM1_LINE_CONTROL = 0x3fb;
    private static final int COM1_LINE_STATUS = 0x3fd;

    private final Devices devices = new Devices();

    @Test
    void com1AlwaysReportsTheTransmitterEmptySoPollingDriversGoOn() {
        assertThat(devices.portIn(COM1_LINE_STATUS, 1) & 0x20).as("THRE").isEqualTo(0x20);
        assertThat(devices.portIn(COM1_LINE_STATUS, 1) & 0x01).as("no input waiting").isZero();
    }

    @Test
    void com1DataPortTransmitsOnlyWhileTheDivisorLatchIsClosed() {
        assertThat(devices.isSerialTransmit(0x3f8)).isTrue();
        devices.portOut(COM1_LINE_CONTROL, 1, 0x80);
        assertThat(devices.isSerialTransmit(0x3f8)).isFalse();
        devices.portOut(0x3f8, 1, 0x01);
        assertThat(devices.portIn(0x3f8, 1)).as("divisor low byte").isEqualTo(0x01);
        devices.portOut(COM1_LINE_CONTROL, 1, 0x03);
        assertThat(devices.isSerialTransmit(0x3f8)).isTrue();
        assertThat(devices.isSerialTransmit(0x3f9)).isFalse();
    }

    @Test
    void com1ScratchRegisterHoldsWhatIsWritten() {
        devices.portOut(0x3ff, 1, 0x5a);
        assertThat(devices.portIn(0x3ff, 1)).isEqualTo(0x5a);
    }

    @Test
    void unservedReadsReturnAllOnesOfTheAccessSize() {
        assertThat(devices.portIn(0x60, 1)).isEqualTo(0xff);
        assertThat(devices.portIn(0x60, 2)).isEqualTo(0xffff);
        assertThat(devices.portIn(0x60, 4)).isEqualTo(0xffff_ffffL);
        assertThat(devices.mmioRead(0xfee0_0000L, 8)).isEqualTo(-1L);
    }

    @Test
    void aTestHandlerTakesPrecedenceOverTheBuiltInDevice() {
        List<Long> written = new ArrayList<>();
        devices.onPortIn(COM1_LINE_STATUS, (port, size) -> 0x00);
        devices.onPortOut(0x3f8, (port, size, value) -> written.add(value));

        devices.portOut(0x3f8, 1, 'x');

        assertThat(devices.portIn(COM1_LINE_STATUS, 1)).isZero();
        assertThat(written).containsExactly((long) 'x');
    }

    @Test
    void theDebugExitAndReportPortsStopARunUnlessTheTestServesThem() {
        assertThat(devices.stopPorts()).containsExactlyInAnyOrder(0xf4, GuestLibrary.PORT);
        devices.onPortOut(0xf4, (port, size, value) -> { });
        assertThat(devices.stopPorts()).containsExactly(GuestLibrary.PORT);
        devices.onPortOut(GuestLibrary.PORT, (port, size, value) -> { });
        assertThat(devices.stopPorts()).isEmpty();
    }

    @Test
    void mmioHandlersServeTheirRangeOnly() {
        List<String> writes = new ArrayList<>();
        devices.onMmio(0xd000_0000L, 0x1000, new io.github.junitkvm.MmioHandler() {
            @Override
            public long read(long address, int size) {
                return address & 0xfff;
            }

            @Override
            public void write(long address, int size, long value) {
                writes.add(Long.toHexString(address) + "=" + value);
            }
        });

        assertThat(devices.mmioRead(0xd000_0010L, 4)).isEqualTo(0x10);
        assertThat(devices.mmioRead(0xd000_1000L, 1)).as("past the range").isEqualTo(0xff);
        devices.mmioWrite(0xd000_0020L, 4, 7);
        devices.mmioWrite(0xc000_0000L, 4, 8);
        assertThat(writes).containsExactly("d0000020=7");
    }

    @Test
    void refusesOverlappingMmioRangesAndImpossiblePorts() {
        devices.onMmio(0xd000_0000L, 0x1000, (address, size) -> 0);
        assertThatIllegalArgumentException().isThrownBy(() -> devices.onMmio(0xd000_0800L, 0x1000, (a, s) -> 0))
                .withMessageContaining("[0xd0000800, 0xd0001800) overlaps the range [0xd0000000, 0xd0001000)");
        assertThatIllegalArgumentException().isThrownBy(() -> devices.onPortIn(0x10000, (p, s) -> 0))
                .withMessageContaining("port 0x10000 is not an I/O port");
    }
}
