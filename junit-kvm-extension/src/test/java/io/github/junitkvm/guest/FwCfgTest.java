package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FwCfgTest {
    private final FwCfg device = new FwCfg(0x3a0000, 1, List.of(
            new GuestDevices.File("opt/b", "bee".getBytes(StandardCharsets.US_ASCII)),
            new GuestDevices.File("opt/a", new byte[] {1, 2})));

    @Test
    void servesTheSignatureIdRamSizeAndCpuCount() {
        assertThat(item(FwCfg.SIGNATURE, 4)).containsExactly('Q', 'E', 'M', 'U');
        assertThat(item(FwCfg.ID, 4)).as("the port interface, no DMA").containsExactly(1, 0, 0, 0);
        assertThat(item(FwCfg.RAM_SIZE, 8)).containsExactly(0, 0, 0x3a, 0, 0, 0, 0, 0);
        assertThat(item(FwCfg.NB_CPUS, 2)).containsExactly(1, 0);
        assertThat(item(FwCfg.MAX_CPUS, 2)).containsExactly(1, 0);
    }

    @Test
    void listsTheFilesSortedByNameWithTheirSelectorsInDeclarationOrder() {
        int[] directory = item(FwCfg.FILE_DIR, 4 + 2 * 64);

        assertThat(slice(directory, 0, 4)).as("count, big-endian").containsExactly(0, 0, 0, 2);
        assertThat(slice(directory, 4, 8)).as("opt/a: size 2, selector 0x21").containsExactly(0, 0, 0, 2, 0, 0x21, 0, 0);
        assertThat(slice(directory, 12, 6)).containsExactly('o', 'p', 't', '/', 'a', 0);
        assertThat(slice(directory, 68, 8)).as("opt/b: size 3, selector 0x20").containsExactly(0, 0, 0, 3, 0, 0x20, 0, 0);
        assertThat(item(0x20, 3)).containsExactly('b', 'e', 'e');
        assertThat(item(0x21, 2)).containsExactly(1, 2);
    }

    @Test
    void readsPastAnItemsEndAndOfUnknownItemsAreZerosAndWiderReadsTakeTheNextBytes() {
        device.write(FwCfg.SELECTOR_PORT, FwCfg.SIGNATURE);
        assertThat(device.read(FwCfg.DATA_PORT, 2)).isEqualTo('Q' | 'E' << 8);
        assertThat(device.read(FwCfg.DATA_PORT, 4)).as("two bytes left, then zeros").isEqualTo('M' | 'U' << 8);
        assertThat(item(0x11, 8)).containsOnly(0);
        assertThat(item(0x8000, 2)).containsOnly(0);
        assertThat(device.read(FwCfg.SELECTOR_PORT, 2)).as("the selector is not readable").isEqualTo(0xffff);
    }

    private int[] item(int selector, int length) {
        device.write(FwCfg.SELECTOR_PORT, selector);
        int[] bytes = new int[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (int) device.read(FwCfg.DATA_PORT, 1);
        }
        return bytes;
    }

    private static int[] slice(int[] bytes, int from, int length) {
        return java.util.Arrays.copyOfRange(bytes, from, from + length);
    }
}
