package io.github.junitkvm.emulator;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.backend.GuardedMachine;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.HexFormat;
import java.util.List;

/** Builds small real-mode guests for the integration tests. */
final class Guests {
    /** mov dx,0x3f8; add al,bl; add al,'0'; out dx,al; mov al,10; out dx,al; hlt */
    static final String CLASSIC = "ba f8 03 00 d8 04 30 ee b0 0a ee f4";

    private Guests() {
    }

    /**
     * @return a machine with one page of RAM at 0x1000, the code loaded there, real-mode segments at
     *     selector 0, RIP 0x1000, RFLAGS 2 and the given RAX/RBX/RDX
     */
    /** @return the pid of the worker serving a machine of the emulator */
    static long workerPid(VirtualMachine machine) {
        return ((EmulatorMachine) GuardedMachine.backendOf(machine)).workerPid();
    }

    static VirtualMachine load(Hypervisor hypervisor, String hex, long rax, long rbx, long rdx) {
        return load(hypervisor, hex, List.of(new RamRegion(0x1000, 0x1000, false)), rax, rbx, rdx);
    }

    /** @return as {@link #load(Hypervisor, String, long, long, long)}, with the given RAM, which holds 0x1000 */
    static VirtualMachine load(Hypervisor hypervisor, String hex, List<RamRegion> ram, long rax, long rbx, long rdx) {
        return load(hypervisor, new MachineConfig(ram, CpuMode.REAL), hex, rax, rbx, rdx);
    }

    /** @return as {@link #load(Hypervisor, String, long, long, long)}, each run recording a trace */
    static VirtualMachine loadTraced(Hypervisor hypervisor, int traceLength, String hex) {
        return load(hypervisor, new MachineConfig(List.of(new RamRegion(0x1000, 0x1000, false)), CpuMode.REAL,
                traceLength), hex, 0, 0, 0);
    }

    private static VirtualMachine load(Hypervisor hypervisor, MachineConfig config, String hex, long rax, long rbx,
                                       long rdx) {
        VirtualMachine machine = hypervisor.createMachine(config);
        machine.writeMemory(0x1000, bytes(hex));
        var special = machine.specialRegisters();
        Segment code = Segment.realMode(0, 0xb);
        Segment data = Segment.realMode(0, 0x3);
        machine.setSpecialRegisters(special.withCs(code).withDs(data).withEs(data).withFs(data).withGs(data).withSs(data));
        machine.setRegisters(GeneralRegisters.initial().withRax(rax).withRbx(rbx).withRdx(rdx).withRip(0x1000)
                .withRsp(0x1ff0).withRflags(2));
        return machine;
    }

    static VirtualMachine load(Hypervisor hypervisor, String hex) {
        return load(hypervisor, hex, 0, 0, 0);
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }
}
