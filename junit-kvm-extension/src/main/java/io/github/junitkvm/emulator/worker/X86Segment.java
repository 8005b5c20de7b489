package io.github.junitkvm.emulator.worker;

/** The six segment registers, in {@link io.github.junitkvm.SpecialRegisters}' order, with QEMU's index of each. */
enum X86Segment {
    CS(1), DS(3), ES(0), FS(4), GS(5), SS(2);

    private final int qemuIndex;

    X86Segment(int qemuIndex) {
        this.qemuIndex = qemuIndex;
    }

    /** @return the index in QEMU's {@code segs[]} ({@code R_ES} = 0, {@code R_CS}, {@code R_SS}, {@code R_DS}, ...) */
    int qemuIndex() {
        return qemuIndex;
    }
}
