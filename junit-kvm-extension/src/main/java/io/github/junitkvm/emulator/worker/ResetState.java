package io.github.junitkvm.emulator.worker;

import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;

/** The system registers an engine starts with: real mode, as after a CPU reset, but every segment at base 0. */
final class ResetState {
    private static final int CODE = 0xb;
    private static final int DATA = 0x3;
    /** CR0.ET, which QEMU keeps set; CD and NW, set by a reset, mean nothing to the emulator. */
    private static final long CR0 = 0x10;
    /** The task register as a reset leaves it: a 32-bit busy TSS at 0, 64 KiB. */
    private static final Segment TR = new Segment(0, 0, 0xffff, 0xb, true, 0, false, false, false, false, false, false);
    /** The LDT register as a reset leaves it: an LDT at 0, 64 KiB. */
    private static final Segment LDT = new Segment(0, 0, 0xffff, 0x2, true, 0, false, false, false, false, false, false);

    /** Real mode, segments at 0 with 64 KiB limits, descriptor tables at 0 with limit 0xffff, EFER 0. */
    static final SpecialRegisters SPECIAL_REGISTERS = new SpecialRegisters(Segment.realMode(0, CODE),
            Segment.realMode(0, DATA), Segment.realMode(0, DATA), Segment.realMode(0, DATA), Segment.realMode(0, DATA),
            Segment.realMode(0, DATA), TR, LDT, new DescriptorTable(0, 0xffff), new DescriptorTable(0, 0xffff), CR0,
            0, 0, 0, 0, 0, 0);

    private ResetState() {
    }
}
