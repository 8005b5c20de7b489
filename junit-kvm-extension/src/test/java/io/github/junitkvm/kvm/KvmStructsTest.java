package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import org.junit.jupiter.api.Test;

/** The register structs carry every value both ways, and leave what they do not model alone. */
class KvmStructsTest {
    @Test
    void generalRegistersSurviveARoundTrip() {
        GeneralRegisters regs = new GeneralRegisters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, -1);
        try (Memory struct = new Memory(KvmRegs.SIZE)) {
            KvmRegs.write(struct, regs);

            assertThat(KvmRegs.read(struct)).isEqualTo(regs);
            assertThat(struct.getLong(KvmRegs.RIP)).isEqualTo(17);
        }
    }

    @Test
    void specialRegistersSurviveARoundTripAndLeaveTheInterruptBitmapAlone() {
        Segment code = new Segment(0x8, 0x12345678L, 0xffffffff, 0xb, true, 3, false, true, true, true, true, false);
        Segment data = new Segment(0xffff, -1L, 0xfffff, 0x3, false, 0, true, false, false, false, false, true);
        SpecialRegisters sregs = new SpecialRegisters(code, data, data, data, data, data, data, data,
                new DescriptorTable(0x1000, 0xffff), new DescriptorTable(-2L, 0x7ff),
                0x80000011L, 0xdead, 0x9000, 0x20, 0xf, 0x500, 0xfee00900L);
        try (Memory struct = new Memory(KvmSregs.SIZE)) {
            struct.clear();
            struct.setLong(KvmSregs.INTERRUPT_BITMAP, 0x8000);

            KvmSregs.write(struct, sregs);

            assertThat(KvmSregs.read(struct)).isEqualTo(sregs);
            assertThat(struct.getLong(KvmSregs.INTERRUPT_BITMAP)).isEqualTo(0x8000);
        }
    }
}
