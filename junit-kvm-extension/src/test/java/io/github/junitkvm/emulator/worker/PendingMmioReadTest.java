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
        assertThat(read.piece(0x1004, 4)).isEqualTo(0x11223344L);
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
    }

    @Test
    void anUnalignedReadsPiecesPassTheHookOnlyUntilTheyAreTaken() {
        read.start(0x1003, 8, 0x1122334455667788L);
        read.piece(0x1000, 4);
        read.piece(0x1004, 4);
        read.piece(0x1008, 4);

        assertThat(read.isPieceOfUnaligned(0x1008, 8)).as("the second piece, not taken yet").isTrue();
        read.piece(0x100c, 4);
        assertThat(read.isPieceOfUnaligned(0x1000, 8)).as("a new read of the same address").isFalse();
    }

    @Test
    void anAlignedReadHasNoPiecesThatPassTheHookAgain() {
        read.start(0x1004, 4, 0x01020304L);

        assertThat(read.isPieceOfUnaligned(0x1004, 4)).isFalse();
        assertThat(read.piece(0x1004, 4)).isEqualTo(0x01020304L);
    }

    @Test
    void aNewReadReplacesOneWhosePiecesNeverCame() {
        read.start(0x1ffe, 4, 0xaabbccddL);   // its second aligned read lies beyond the MMIO range
        read.piece(0x1ffc, 4);

        read.start(0x3000, 1, 0x42);

        assertThat(read.isPieceOfUnaligned(0x2000, 4)).isFalse();
        assertThat(read.piece(0x3000, 1)).isEqualTo(0x42);
    }
}
