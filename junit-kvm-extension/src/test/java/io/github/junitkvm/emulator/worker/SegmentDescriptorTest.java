package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.Segment;
import org.junit.jupiter.api.Test;

class SegmentDescriptorTest {

    @Test
    void decodesFlatCodeAndDataDescriptors() {
        assertThat(SegmentDescriptor.decode(0x08, 0x00cf9b000000ffffL))
                .isEqualTo(new Segment(0x08, 0, 0xffffffff, 0xb, true, 0, true, true, false, true, false, false));
        assertThat(SegmentDescriptor.decode(0x10, 0x00cf93000000ffffL))
                .isEqualTo(new Segment(0x10, 0, 0xffffffff, 0x3, true, 0, true, true, false, true, false, false));
        assertThat(SegmentDescriptor.decode(0x18, 0x00af9b000000ffffL))
                .isEqualTo(new Segment(0x18, 0, 0xffffffff, 0xb, true, 0, false, true, true, true, false, false));
    }

    @Test
    void decodesBaseByteGranularLimitAndDpl() {
        // base 0x12345678, limit 0x0abcd bytes, DPL 3, read/write data, AVL
        Segment segment = SegmentDescriptor.decode(0x2b, 0x1210f2345678abcdL);

        assertThat(segment.base()).isEqualTo(0x12345678L);
        assertThat(segment.limit()).isEqualTo(0xabcd);
        assertThat(segment.dpl()).isEqualTo(3);
        assertThat(segment.type()).isEqualTo(0x2);
        assertThat(segment.avl()).isTrue();
        assertThat(segment.g()).isFalse();
    }
}
