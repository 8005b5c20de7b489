package io.github.junitkvm.kvm;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Builds real-mode guests on real KVM the way the classic {@code /dev/kvm} sample does: code at
 * 0x1000, every segment selector 0 and base 0, RFLAGS 2.
 */
final class RealModeGuest {
    static final long CODE = 0x1000;

    private RealModeGuest() {
    }

    /** @return a machine with one RW page at 0x1000 holding the code */
    static VirtualMachine create(String hexCode) {
        return create(hexCode, List.of(new RamRegion(CODE, 0x1000, false)));
    }

    /**
     * @return a machine with the given regions and the code at 0x1000, made on a {@code /dev/kvm}
     *     opened for it alone: the machine's own file descriptors outlive the device's
     */
    static VirtualMachine create(String hexCode, List<RamRegion> ram) {
        try (KvmHypervisor kvm = KvmHypervisor.open()) {
            return create(kvm, hexCode, ram);
        }
    }

    /** @return a machine of that hypervisor with the given regions and the code at 0x1000 */
    static VirtualMachine create(KvmHypervisor kvm, String hexCode, List<RamRegion> ram) {
        VirtualMachine vm = kvm.createMachine(new MachineConfig(ram, CpuMode.REAL));
        try {
            vm.writeMemory(CODE, bytes(hexCode));
            SpecialRegisters sregs = vm.specialRegisters();
            vm.setSpecialRegisters(sregs
                    .withCs(flat(sregs.cs())).withDs(flat(sregs.ds())).withEs(flat(sregs.es()))
                    .withFs(flat(sregs.fs())).withGs(flat(sregs.gs())).withSs(flat(sregs.ss())));
            vm.setRegisters(GeneralRegisters.initial().withRip(CODE));
            return vm;
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /**
     * Runs the machine with a watchdog: a guest that does not stop within 10 s is stopped, so that a
     * broken test fails instead of hanging the build.
     */
    static StopCause run(VirtualMachine vm, Set<Integer> stopPorts, ExitListener listener) {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        try {
            watchdog.schedule(vm::requestStop, 10, TimeUnit.SECONDS);
            return vm.run(stopPorts, listener);
        } finally {
            watchdog.shutdownNow();
        }
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static Segment flat(Segment segment) {
        return segment.withSelector(0).withBase(0);
    }
}
