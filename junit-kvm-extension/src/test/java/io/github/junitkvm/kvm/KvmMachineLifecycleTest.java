package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.testsupport.ProcessFootprint;
import io.github.junitkvm.testsupport.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Stopping, closing and leaking: the lifecycle of a machine on real KVM, across threads. */
@Tag("kvm")
class KvmMachineLifecycleTest {
    /** {@code jmp $}: spins in the guest forever without an exit. */
    private static final String SPIN = "eb fe";
    /** {@code out 0x80,al; jmp $}: tells the listener it runs, then spins. */
    private static final String ANNOUNCE_THEN_SPIN = "e6 80 eb fe";

    private final ExecutorService runner = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopRunner() throws InterruptedException {
        runner.shutdownNow();
        assertThat(runner.awaitTermination(10, TimeUnit.SECONDS)).as("runner thread ended").isTrue();
    }

    @Test
    void requestStopFromAnotherThreadInterruptsAGuestSpinningInKvmRun() throws Exception {
        try (VirtualMachine vm = RealModeGuest.create(SPIN)) {
            Future<StopCause> run = runner.submit(() -> vm.run(Set.of(), new RecordingListener()));
            Thread.sleep(300);
            assertThat(run).as("the guest spins until asked to stop").isNotDone();

            long requested = System.nanoTime();
            vm.requestStop();
            StopCause stop = run.get(5, TimeUnit.SECONDS);

            assertThat(stop).isEqualTo(StopCause.stopRequested());
            assertThat(Duration.ofNanos(System.nanoTime() - requested)).isLessThan(Duration.ofSeconds(1));
            assertThat(vm.registers().rip()).isEqualTo(RealModeGuest.CODE);
        }
    }

    @Test
    void aMachineNotCreatedResettableRefusesToReset() {
        try (VirtualMachine vm = RealModeGuest.create("f4")) {
            assertThatThrownBy(vm::reset).isInstanceOf(IllegalStateException.class)
                    .hasMessage("this KVM machine cannot be reset: it was not created by"
                            + " Hypervisor.createResettableMachine");
        }
    }

    @Test
    void aStopRequestedBeforeTheRunDoesNotAffectIt() {
        try (VirtualMachine vm = RealModeGuest.create("ba f8 03 ee f4")) {
            vm.requestStop();

            assertThat(RealModeGuest.run(vm, Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
        }
    }

    @Test
    void aStopRequestedWhileAnExitIsHandledEndsTheRunBeforeTheNextKvmRun() {
        try (VirtualMachine vm = RealModeGuest.create(ANNOUNCE_THEN_SPIN)) {
            StopCause stop = RealModeGuest.run(vm, Set.of(), onPortOut(port -> vm.requestStop()));

            assertThat(stop).isEqualTo(StopCause.stopRequested());
        }
    }

    @Test
    void aStopRequestedAtAnyMomentOfARunEndsIt() throws Exception {
        // The request lands, depending on scheduling, while the listener runs, between two KVM_RUNs,
        // or in the guest: every one of them must end the run.
        try (VirtualMachine vm = RealModeGuest.create(ANNOUNCE_THEN_SPIN)) {
            for (int i = 0; i < 300; i++) {
                vm.setRegisters(GeneralRegisters.initial().withRip(RealModeGuest.CODE));
                CountDownLatch running = new CountDownLatch(1);
                Future<StopCause> run = runner.submit(() -> vm.run(Set.of(), onPortOut(port -> running.countDown())));
                assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
                if (i % 2 == 1) {
                    Thread.sleep(0, 100_000);
                }

                vm.requestStop();

                assertThat(run.get(5, TimeUnit.SECONDS)).as("run %d", i).isEqualTo(StopCause.stopRequested());
            }
        }
    }

    @Test
    void closeWhileAnotherThreadRunsEndsTheRunAndFreesTheMachine() throws Exception {
        VirtualMachine vm = RealModeGuest.create(SPIN);
        Future<StopCause> run = runner.submit(() -> vm.run(Set.of(), new RecordingListener()));
        Thread.sleep(300);
        assertThat(run).isNotDone();

        vm.close();

        assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(StopCause.stopRequested());
        assertThatThrownBy(vm::registers).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeFromAnExitListenerEndsTheRunAndFreesTheMachineAfterIt() {
        VirtualMachine vm = RealModeGuest.create(ANNOUNCE_THEN_SPIN);

        StopCause stop = RealModeGuest.run(vm, Set.of(), onPortOut(port -> vm.close()));

        assertThat(stop).isEqualTo(StopCause.stopRequested());
        assertThatThrownBy(() -> vm.readMemory(RealModeGuest.CODE, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void runFromAnExitListenerIsRefused() {
        try (VirtualMachine vm = RealModeGuest.create("ba f8 03 ee f4")) {
            assertThatThrownBy(() -> vm.run(Set.of(), onPortOut(port -> vm.run(Set.of(), new RecordingListener()))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exit listener");
        }
    }

    @Test
    void closeIsIdempotent() {
        VirtualMachine vm = RealModeGuest.create("f4");

        vm.close();

        assertThatCode(vm::close).doesNotThrowAnyException();
        assertThatCode(vm::requestStop).doesNotThrowAnyException();
    }

    @Test
    void everyOtherMethodRefusesAClosedMachine() {
        VirtualMachine vm = RealModeGuest.create("f4");
        GeneralRegisters regs = vm.registers();
        var sregs = vm.specialRegisters();
        vm.close();

        Map<String, Consumer<VirtualMachine>> calls = Map.of(
                "lastRunTrace", VirtualMachine::lastRunTrace,
                "readMemory", m -> m.readMemory(RealModeGuest.CODE, 1),
                "writeMemory", m -> m.writeMemory(RealModeGuest.CODE, new byte[1]),
                "registers", VirtualMachine::registers,
                "setRegisters", m -> m.setRegisters(regs),
                "specialRegisters", VirtualMachine::specialRegisters,
                "setSpecialRegisters", m -> m.setSpecialRegisters(sregs),
                "run", m -> m.run(Set.of(), new RecordingListener()));
        calls.forEach((name, call) -> assertThatThrownBy(() -> call.accept(vm)).as(name)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed"));
    }

    @Test
    void fiveHundredMachinesLeaveNoFileDescriptorOrMappingBehind() {
        // Warm up first: the JVM, JNA and malloc map memory of their own on first use.
        cycles(20);
        long fds = ProcessFootprint.countOpenFileDescriptors();
        long maps = ProcessFootprint.countMappings();

        cycles(500);

        // Tolerances: an fd or two and a few mappings can come and go with JVM activity
        // (GC, JIT, a thread's stack); a leak per machine would show as 500 or more.
        assertThat(ProcessFootprint.countOpenFileDescriptors()).as("open file descriptors").isBetween(fds - 2, fds + 2);
        assertThat(ProcessFootprint.countMappings()).as("lines of /proc/self/maps").isBetween(maps - 16, maps + 16);
    }

    @Test
    void closingTheHypervisorClosesTheDeviceAndLeavesItsMachinesRunning() {
        List<RamRegion> ram = List.of(new RamRegion(RealModeGuest.CODE, 0x1000, false));
        long fds = ProcessFootprint.countOpenFileDescriptors();
        KvmHypervisor kvm = KvmHypervisor.open();
        try (VirtualMachine vm = RealModeGuest.create(kvm, "f4", ram)) {
            kvm.close();
            kvm.close();

            assertThatThrownBy(() -> kvm.createMachine(new MachineConfig(ram, CpuMode.REAL)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("KVM is closed: its test run is over");
            assertThat(vm.run(Set.of(), new RecordingListener())).as("a VM's descriptors outlive the device's")
                    .isEqualTo(StopCause.hlt());
        }
        assertThat(ProcessFootprint.countOpenFileDescriptors()).as("open file descriptors").isBetween(fds - 2, fds + 2);
    }

    @Test
    void aFailedCreationReleasesWhatItAcquired() {
        // The guest layer validates regions; overlapping ones reach KVM only here, to make the
        // second KVM_SET_USER_MEMORY_REGION fail after the VM and the first mapping exist.
        MachineConfig overlapping = new MachineConfig(
                List.of(new RamRegion(0x1000, 0x2000, false), new RamRegion(0x2000, 0x1000, false)), CpuMode.REAL);
        cycles(20);
        try (KvmHypervisor kvm = KvmHypervisor.open()) {
            long fds = ProcessFootprint.countOpenFileDescriptors();
            long maps = ProcessFootprint.countMappings();

            for (int i = 0; i < 100; i++) {
                assertThatThrownBy(() -> kvm.createMachine(overlapping))
                        .isInstanceOf(HypervisorException.class)
                        .hasMessage("KVM_SET_USER_MEMORY_REGION failed: File exists (errno 17)");
            }

            assertThat(ProcessFootprint.countOpenFileDescriptors()).as("open file descriptors")
                    .isBetween(fds - 2, fds + 2);
            assertThat(ProcessFootprint.countMappings()).as("lines of /proc/self/maps").isBetween(maps - 16, maps + 16);
        }
    }

    @Test
    void withoutReadOnlyMemoryAReadOnlyRegionIsRefusedSayingWhyAndNothingLeaks() {
        // As on a kernel without KVM_CAP_READONLY_MEM: the writable region before it is mapped already.
        MachineConfig withRom = new MachineConfig(
                List.of(new RamRegion(0, 0x1000, false), new RamRegion(0xf000, 0x1000, true)), CpuMode.REAL);
        int kvmFd = Posix.open(Path.of("/dev/kvm"), Posix.O_RDWR | Posix.O_CLOEXEC);
        try {
            long vcpuMmapSize = Posix.ioctl(kvmFd, KvmIoctl.KVM_GET_VCPU_MMAP_SIZE, 0);
            KvmCpuid cpuid = KvmCpuid.supported(kvmFd);
            cycles(20);
            long fds = ProcessFootprint.countOpenFileDescriptors();
            long maps = ProcessFootprint.countMappings();

            for (int i = 0; i < 100; i++) {
                assertThatThrownBy(() -> KvmMachine.create(kvmFd, withRom, vcpuMmapSize, false, cpuid, false))
                        .isInstanceOf(HypervisorException.class)
                        .hasMessage("the read-only RAM region [0xf000, 0x10000) needs KVM_CAP_READONLY_MEM, which"
                                + " this kernel does not offer; use a kernel whose KVM has it, or"
                                + " -Djunitkvm.backend=emulator");
            }

            assertThat(ProcessFootprint.countOpenFileDescriptors()).as("open file descriptors")
                    .isBetween(fds - 2, fds + 2);
            assertThat(ProcessFootprint.countMappings()).as("lines of /proc/self/maps").isBetween(maps - 16, maps + 16);
        } finally {
            Posix.close(kvmFd);
        }
    }

    @Test
    void ramWhereIntelWantsItsTssIsUsable() {
        // RAM over 0xfffbd000 makes the machine skip KVM_SET_TSS_ADDR rather than fail.
        List<RamRegion> ram = List.of(new RamRegion(0x1000, 0x1000, false), new RamRegion(0xfffbc000L, 0x4000, false));
        try (VirtualMachine vm = RealModeGuest.create("f4", ram)) {
            vm.writeMemory(0xfffbd000L, new byte[] {1, 2, 3});

            assertThat(vm.readMemory(0xfffbd000L, 3)).containsExactly(1, 2, 3);
            assertThat(vm.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
        }
    }

    private static void cycles(int count) {
        for (int i = 0; i < count; i++) {
            try (VirtualMachine vm = RealModeGuest.create("ba f8 03 ee f4")) {
                assertThat(vm.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
            }
        }
    }



    private static ExitListener onPortOut(Consumer<Integer> action) {
        return new RecordingListener() {
            @Override
            public void portOut(int port, int size, long value) {
                super.portOut(port, size, value);
                action.accept(port);
            }
        };
    }
}
