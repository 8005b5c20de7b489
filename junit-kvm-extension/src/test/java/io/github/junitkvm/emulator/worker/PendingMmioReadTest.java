package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How Unicorn's pieces of one MMIO read are served from its whole value. */
class PendingMmioReadTest {
    private final PendingMmioRead read = new PendingMmioRead();

    @Test
    void servesAnEightByteReadAsTheTwoHalvesUnicornAsksFor() {
        read.start(0x1000, 8, 0x1122334455667788L);

        assertThat(read.piece(0x1000, 4)).isEqualTo(0x55667788L);
        assertThat(read.pending()).isTrue();
        assertThat(read.piece(0x1004, 4)).isEqualTo(0x11223344L);
        assertThat(read.pending()).isFalse();
    }

    @Test
    void servesAnUnalignedReadAsTheAlignedReadsAroundIt() {
        read.start(0x1002, 4, 0xaabbccddL);

        assertThat(read.isPieceOfUnaligned(0x1000, 4)).isTrue();
        assertThat(read.isPieceOfUnaligned(0x1004, 4)).isTrue();
        assertThat(read.isPieceOfUnaligned(0x1008, 4)).isFalse();
        assertThat(read.isPieceOfUnaligned(0x1000, 2)).isFalse();
        // Unicorn joins them as (first >> 16) | (second << 16), so the bytes outside the read are 0.
        assertThat(read.piece(0x1000, 4)).isEqualTo(0xccdd0000L);
        assertThat(read.piece(0x1004, 4)).isEqualTo(0x0000aabbL);
        assertThat(read.pending()).isFalse();
    }

    @Test
    void anAlignedReadHasNoPiecesThatPassTheHookAgain() {
        read.start(0x1004, 4, 0x01020304L);

        assertThat(read.isPieceOfUnaligned(0x1004, 4)).isFalse();
        assertThat(read.piece(0x1004, 4)).isEqualTo(0x01020304L);
        assertThat(read.pending()).isFalse();
        assertThat(read.isPieceOfUnaligned(0x1004, 4)).isFalse();
    }

    @Test
    void aNewReadReplacesOneWhosePiecesNeverCame() {
        read.start(0x1ffe, 4, 0xaabbccddL);   // its second aligned read lies beyond the MMIO range
        read.piece(0x1ffc, 4);

        read.start(0x3000, 1, 0x42);

        assertThat(read.piece(0x3000, 1)).isEqualTo(0x42);
        assertThat(read.pending()).isFalse();
    }
}
