package io.github.junitkvm.kvm;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Finds out whether this KVM single-steps a guest faithfully, by tracing a probe guest whose trace
 * is known. A trace must never change what a run does, and some hosts' single-step does: PVM
 * ({@code kvm_pvm}) runs the instruction after an I/O exit without stopping and steps over
 * {@code HLT} instead of exiting on it, so a traced guest would run past its end.
 */
final class SingleStepCheck {
    private static final long CODE = 0x1000;
    private static final int PAGE = 0x1000;
    private static final int STOP_PORT = 0xf4;
    /** {@code out 0x80, al; nop; hlt}. */
    private static final byte[] PROBE = {(byte) 0xe6, (byte) 0x80, (byte) 0x90, (byte) 0xf4};
    /** The rest of the page: {@code out 0xf4, al} over and over, so a misstep ends the probe at once. */
    private static final byte[] STOP = {(byte) 0xe6, (byte) STOP_PORT};
    private static final List<Long> EXPECTED = List.of(CODE, CODE + 2, CODE + 3);

    private SingleStepCheck() {
    }

    /**
     * @param kvmFd the open {@code /dev/kvm}
     * @param vcpuMmapSize {@code KVM_GET_VCPU_MMAP_SIZE}
     * @param cpuid what the probe's vCPU reports
     * @return why traces cannot be trusted on this KVM, or empty if they can
     */
    static Optional<String> problem(int kvmFd, long vcpuMmapSize, KvmCpuid cpuid) {
        if (Posix.ioctl(kvmFd, KvmIoctl.KVM_CHECK_EXTENSION, KvmConstants.KVM_CAP_SET_GUEST_DEBUG) <= 0) {
            return Optional.of("it lacks KVM_CAP_SET_GUEST_DEBUG, which single-stepping needs");
        }
        MachineConfig config = new MachineConfig(List.of(new RamRegion(CODE, PAGE, false)), CpuMode.REAL, EXPECTED.size() + 1);
        try (KvmMachine probe = KvmMachine.create(kvmFd, config, vcpuMmapSize, false, cpuid, false)) {
            probe.writeMemory(CODE, code());
            SpecialRegisters reset = probe.specialRegisters();
            probe.setSpecialRegisters(reset.withCs(flat(reset.cs())).withDs(flat(reset.ds())).withEs(flat(reset.es()))
                    .withFs(flat(reset.fs())).withGs(flat(reset.gs())).withSs(flat(reset.ss())));
            probe.setRegisters(GeneralRegisters.initial().withRip(CODE));
            StopCause stop = probe.run(Set.of(STOP_PORT), IGNORED);
            InstructionTrace trace = probe.lastRunTrace();
            if (stop.kind() == StopCause.Kind.HLT && trace.addresses().equals(EXPECTED)) {
                return Optional.empty();
            }
            return Optional.of(String.format(Locale.ROOT, "a probe guest (out 0x80, al; nop; hlt at 0x%x) single-stepped"
                    + " through %s and stopped on %s, where a faithful single-step goes through %s and stops on HLT"
                    + " (PVM, kvm_pvm, runs the instruction after an I/O exit without stopping and steps over HLT)",
                    CODE, hex(trace.addresses()), stop.kind(), hex(EXPECTED)));
        } catch (HypervisorException e) {
            return Optional.of("single-stepping a probe guest failed: " + e.getMessage());
        }
    }

    private static byte[] code() {
        byte[] page = new byte[PAGE];
        for (int i = PROBE.length; i + 1 < page.length; i += STOP.length) {
            System.arraycopy(STOP, 0, page, i, STOP.length);
        }
        System.arraycopy(PROBE, 0, page, 0, PROBE.length);
        return page;
    }

    private static Segment flat(Segment segment) {
        return segment.withSelector(0).withBase(0);
    }

    private static String hex(List<Long> addresses) {
        return addresses.stream().map(a -> String.format(Locale.ROOT, "0x%x", a))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /** The probe's only ordinary exit is the OUT to port 0x80, which needs no answer. */
    private static final ExitListener IGNORED = new ExitListener() {
        @Override
        public Set<Integer> observedPorts() {
            return Set.of();
        }

        @Override
        public long portIn(int port, int size) {
            return 0;
        }

        @Override
        public void portOut(int port, int size, long value) {
        }

        @Override
        public long mmioRead(long address, int size) {
            return 0;
        }

        @Override
        public void mmioWrite(long address, int size, long value) {
        }

        @Override
        public int acknowledgeInterrupt() {
            return -1; // the probe never asserts the line
        }

        @Override
        public Set<Long> routedMsrs() {
            return Set.of();
        }

        @Override
        public Long msrRead(long index) {
            return null;
        }

        @Override
        public boolean msrWrite(long index, long value) {
            return false;
        }
    };
}
