package io.github.junitkvm.emulator;

import static io.github.junitkvm.testsupport.RecordingListener.inEvent;
import static io.github.junitkvm.testsupport.RecordingListener.mmioReadEvent;
import static io.github.junitkvm.testsupport.RecordingListener.mmioWriteEvent;
import static io.github.junitkvm.testsupport.RecordingListener.outEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.StopCause.Kind;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.testsupport.RecordingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real guests on real Unicorn, through the backend SPI and a real worker process. */
class EmulatorHypervisorTest {
    private static EmulatorHypervisor hypervisor;

    @BeforeAll
    static void open() {
        hypervisor = EmulatorHypervisor.open();
    }

    @AfterAll
    static void close() {
        hypervisor.close();
    }

    @Test
    void runsTheClassicProgram() {
        try (VirtualMachine machine = Guests.load(hypervisor, Guests.CLASSIC, 2, 2, 0)) {
            RecordingListener listener = new RecordingListener();

            StopCause cause = machine.run(Set.of(), listener);

            assertThat(cause).isEqualTo(StopCause.hlt());
            assertThat(listener.events).containsExactly(outEvent(0x3f8, 1, '4'), outEvent(0x3f8, 1, '\n'));
            assertThat(machine.registers().rax()).isEqualTo(10);
            assertThat(machine.registers().rip()).isEqualTo(0x100c);
        }
    }

    @Test
    void failsTheNextAnsweredCallWithAPostedCallsFailureAndSkipsTheCallsBetween() {
        try (VirtualMachine machine = Guests.load(hypervisor, "f4", 7, 0, 0)) {
            // Nothing is mapped there: the backend's callers check this; here the worker's engine refuses it.
            machine.writeMemory(0x1_0000_0000L, new byte[] {1});
            machine.setRegisters(GeneralRegisters.initial().withRax(8).withRip(0x1000));

            assertThatThrownBy(machine::registers).isInstanceOf(HypervisorException.class)
                    .hasMessageContaining("uc_mem_write(0x100000000, 1)");
            assertThat(machine.registers().rax()).as("the call after the failed one was not served").isEqualTo(7);
            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
        }
    }

    @Test
    void reportsTheRegistersOfTheStopWithoutAskingTheWorkerAgain() {
        try (VirtualMachine machine = Guests.load(hypervisor, Guests.CLASSIC, 2, 2, 0)) {
            machine.run(Set.of(), new RecordingListener());
            long pid = Guests.workerPid(machine);
            try {
                assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor()).isZero();

                assertThat(machine.registers().rip()).isEqualTo(0x100c);
                assertThat(machine.specialRegisters().cs().selector()).isZero();
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                ProcessHandle.of(pid).ifPresent(worker -> {
                    try {
                        new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
            }
        }
    }

    @Test
    void answersPortReadsWithTheListenersValue() {
        try (VirtualMachine machine = Guests.load(hypervisor, "e4 60 ee f4", 0, 0, 0x80)) {
            RecordingListener listener = new RecordingListener(() -> 0x2a);

            assertThat(machine.run(Set.of(), listener)).isEqualTo(StopCause.hlt());

            assertThat(listener.events).containsExactly(inEvent(0x60, 1), outEvent(0x80, 1, 0x2a));
        }
    }

    @Test
    void reportsEachElementOfAStringOutput() {
        // mov si,0x1100; mov cx,5; mov dx,0x3f8; cld; rep outsb; hlt
        try (VirtualMachine machine = Guests.load(hypervisor, "be 00 11 b9 05 00 ba f8 03 fc f3 6e f4")) {
            machine.writeMemory(0x1100, "hello".getBytes());
            RecordingListener listener = new RecordingListener();

            assertThat(machine.run(Set.of(), listener)).isEqualTo(StopCause.hlt());

            assertThat(listener.events).containsExactly(outEvent(0x3f8, 1, 'h'), outEvent(0x3f8, 1, 'e'),
                    outEvent(0x3f8, 1, 'l'), outEvent(0x3f8, 1, 'l'), outEvent(0x3f8, 1, 'o'));
        }
    }

    @Test
    void turnsAccessesOutsideRamIntoMmio() {
        // mov ax,[0x3000]; mov [0x0500],ax; hlt — above and below the RAM page at 0x1000
        try (VirtualMachine machine = Guests.load(hypervisor, "a1 00 30 a3 00 05 f4")) {
            RecordingListener listener = new RecordingListener(() -> 0xbeef);

            assertThat(machine.run(Set.of(), listener)).isEqualTo(StopCause.hlt());

            assertThat(listener.events).containsExactly(mmioReadEvent(0x3000, 2), mmioWriteEvent(0x500, 2, 0xbeef));
            assertThat(machine.registers().rax()).isEqualTo(0xbeef);
        }
    }

    @Test
    void stopsOnAStopPortWithoutTellingTheListener() {
        // mov al,'a'; out 0x80,al; mov al,7; out 0xf4,al; hlt
        try (VirtualMachine machine = Guests.load(hypervisor, "b0 61 e6 80 b0 07 e6 f4 f4")) {
            RecordingListener listener = new RecordingListener();

            assertThat(machine.run(Set.of(0xf4), listener)).isEqualTo(StopCause.stopPort(0xf4, 1, 7));

            assertThat(listener.events).containsExactly(outEvent(0x80, 1, 'a'));
        }
    }

    /** RAM from 0, where the real-mode IVT is. */
    private static final List<RamRegion> LOW_RAM = List.of(new RamRegion(0, 0x20000, false));

    @Test
    void deliversABreakpointThroughTheIvt() {
        try (VirtualMachine machine = Guests.load(hypervisor, "90 cc f4", LOW_RAM, 0, 0, 0)) {
            // The zeroed IVT sends every vector to 0000:0000.
            machine.writeMemory(0, Guests.bytes("f4"));

            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
            assertThat(machine.registers().rip()).isEqualTo(1);
        }
    }

    /**
     * Unicorn lets real-mode code jump past IP 0xffff (a CPU raises #GP): the HLT there is found
     * before CS × 16 + EIP, all of EIP, not taken for a shutdown.
     */
    @Test
    void aHltPastTheEndOfTheRealModeSegmentIsAHlt() {
        List<RamRegion> ram = List.of(new RamRegion(0, 0x20000, false));
        // jmp dword 0x10004
        try (VirtualMachine machine = Guests.load(hypervisor, "66 e9 fe ef 00 00", ram, 0, 0, 0)) {
            machine.writeMemory(0x10004, Guests.bytes("f4"));

            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
            assertThat(machine.registers().rip()).isEqualTo(0x10005);
        }
    }

    @Test
    void deliversAnInvalidOpcodeThroughTheIvt() {
        try (VirtualMachine machine = Guests.load(hypervisor, "0f 0b f4", LOW_RAM, 0, 0, 0)) {
            machine.writeMemory(0, Guests.bytes("f4"));

            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
            assertThat(machine.registers().rip()).isEqualTo(1);
        }
    }

    @Test
    void readsPastOneMebibyteInRealModeAsMmioAsInEveryMode() {
        // mov eax,[dword 0x200000] (address-size and operand-size prefixes); hlt. A real-mode guest
        // may enter protected mode, so every hole below 4 GiB is MMIO from the start.
        try (VirtualMachine machine = Guests.load(hypervisor, "67 66 a1 00 00 20 00 f4")) {
            RecordingListener listener = new RecordingListener();

            assertThat(machine.run(Set.of(), listener)).isEqualTo(StopCause.hlt());
            assertThat(listener.events).containsExactly(RecordingListener.mmioReadEvent(0x200000, 4));
        }
    }

    @Test
    void startsAtCsTimesSixteenPlusIp() {
        try (VirtualMachine machine = Guests.load(hypervisor, Guests.CLASSIC, 2, 2, 0)) {
            Segment code = Segment.realMode(0x100, 0xb);
            machine.setSpecialRegisters(machine.specialRegisters().withCs(code));
            machine.setRegisters(machine.registers().withRip(0));

            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());

            assertThat(machine.registers().rip()).isEqualTo(0xc);
            assertThat(machine.specialRegisters().cs()).isEqualTo(code);
        }
    }

    @Test
    void roundTripsMemoryAndRegisters() {
        try (VirtualMachine machine = Guests.load(hypervisor, "f4")) {
            machine.writeMemory(0x1800, new byte[] {1, 2, 3});
            GeneralRegisters registers = GeneralRegisters.initial().withRax(0xffffffffL).withRsi(0x1234)
                    .withRsp(0x1ffe).withRip(0x1000).withRflags(0x202);
            machine.setRegisters(registers);
            var special = machine.specialRegisters().withCr0(0x10).withCr2(0x1234)
                    .withGdt(new io.github.junitkvm.DescriptorTable(0x1500, 0x17));
            machine.setSpecialRegisters(special);

            assertThat(machine.readMemory(0x1800, 3)).containsExactly(1, 2, 3);
            assertThat(machine.registers()).isEqualTo(registers);
            assertThat(machine.specialRegisters()).isEqualTo(special);
        }
    }

    @Test
    void theNextMachineOfTheSameConfigurationStartsAsNewAfterAClose() throws Exception {
        MachineConfig config = new MachineConfig(List.of(new RamRegion(0x1000, 0x1000, false)), CpuMode.REAL);
        VirtualMachine dirty = hypervisor.createMachine(config);
        long worker = Guests.workerPid(dirty);
        dirtyAndRun(dirty);
        dirty.close();
        // The worker opens its spare engine for this configuration while nothing waits.
        Thread.sleep(200);

        try (VirtualMachine next = hypervisor.createMachine(config)) {
            assertThat(Guests.workerPid(next)).as("the same worker, its spare engine").isEqualTo(worker);
            assertStartsAsNew(next, hypervisor.createMachine(config));
        }
    }

    @Test
    void aResetMachineStartsAsNewWhenItsWorkerHadASpareReady() throws Exception {
        MachineConfig config = new MachineConfig(List.of(new RamRegion(0x1000, 0x1000, false)), CpuMode.REAL);
        try (VirtualMachine machine = hypervisor.createMachine(config)) {
            for (int reset = 0; reset < 3; reset++) {
                dirtyAndRun(machine);
                Thread.sleep(200);
                machine.reset();

                assertStartsAsNew(machine, hypervisor.createMachine(config));
            }
        }
    }

    private static void dirtyAndRun(VirtualMachine machine) {
        machine.writeMemory(0x1000, new byte[] {(byte) 0xb0, 0x41, (byte) 0xe6, (byte) 0x80, (byte) 0xf4});
        machine.writeMemory(0x1800, new byte[] {1, 2, 3});
        machine.setRegisters(GeneralRegisters.initial().withRbx(0x1234).withRip(0x1000));
        machine.setSpecialRegisters(machine.specialRegisters().withCr2(0x5678));
        machine.setInterruptRequest(0, true);
        assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
    }

    /** Compares with a machine of the same configuration just made on a worker of its own. */
    private static void assertStartsAsNew(VirtualMachine machine, VirtualMachine fresh) {
        try (fresh) {
            assertThat(machine.readMemory(0x1000, 0x1000)).isEqualTo(new byte[0x1000]);
            assertThat(machine.registers()).isEqualTo(fresh.registers());
            assertThat(machine.specialRegisters()).isEqualTo(fresh.specialRegisters());
            assertThat(machine.lastRunTrace()).isEqualTo(fresh.lastRunTrace());
            machine.writeMemory(0x1000, new byte[] {(byte) 0xf4});
            machine.setRegisters(machine.registers().withRip(0x1000));
            RecordingListener listener = new RecordingListener();
            assertThat(machine.run(Set.of(), listener)).as("no interrupt request left raised")
                    .isEqualTo(StopCause.hlt());
            assertThat(listener.events).isEmpty();
        }
    }

    @Test
    void transfersMoreMemoryThanTheWorkerHeapHoldsAtOnce() {
        byte[] image = new byte[96 << 20];
        new Random(1).nextBytes(image);
        MachineConfig config = new MachineConfig(List.of(new RamRegion(0, 128 << 20, false)), CpuMode.REAL);
        try (VirtualMachine machine = hypervisor.createMachine(config)) {
            machine.writeMemory(0x1000, image);

            assertThat(machine.readMemory(0x1000, image.length)).isEqualTo(image);
        }
    }

    @Test
    void keepsWhatTheHostSetsInRealModeAsKvmDoes() {
        try (VirtualMachine machine = Guests.load(hypervisor, "f4")) {
            machine.setRegisters(machine.registers().withR9(1).withRbx(1L << 32));
            var special = machine.specialRegisters();
            machine.setSpecialRegisters(special.withDs(special.ds().withBase(0x5000)));

            assertThat(machine.registers().r9()).isEqualTo(1);
            assertThat(machine.registers().rbx()).isEqualTo(1L << 32);
            assertThat(machine.specialRegisters().ds().base()).isEqualTo(0x5000);
            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
        }
    }

    @Test
    void runsCodeRewrittenBetweenRuns() {
        // mov al,1; out 0x80,al; hlt -- then the immediate becomes 2
        try (VirtualMachine machine = Guests.load(hypervisor, "b0 01 e6 80 f4")) {
            RecordingListener first = new RecordingListener();
            machine.run(Set.of(), first);
            machine.writeMemory(0x1001, new byte[] {2});
            machine.setRegisters(machine.registers().withRip(0x1000));
            RecordingListener second = new RecordingListener();

            machine.run(Set.of(), second);

            assertThat(first.events).containsExactly(outEvent(0x80, 1, 1));
            assertThat(second.events).containsExactly(outEvent(0x80, 1, 2));
        }
    }

    @Test
    void runsCodeFromReadOnlyRamAndTurnsWritesToItIntoMmioWrites() {
        // mov al,[0x1100]; inc al; mov [0x1100],al; mov [0x2000],al; hlt -- the code and 0x1100 are read-only
        List<RamRegion> ram = List.of(new RamRegion(0x1000, 0x1000, true), new RamRegion(0x2000, 0x1000, false));
        try (VirtualMachine machine = Guests.load(hypervisor, "a0 00 11 fe c0 a2 00 11 a2 00 20 f4", ram, 0, 0, 0)) {
            machine.writeMemory(0x1100, new byte[] {0x41});
            RecordingListener listener = new RecordingListener();

            assertThat(machine.run(Set.of(), listener)).isEqualTo(StopCause.hlt());

            assertThat(listener.events).containsExactly(mmioWriteEvent(0x1100, 1, 0x42));
            assertThat(machine.readMemory(0x1100, 1)).containsExactly(0x41);
            assertThat(machine.readMemory(0x2000, 1)).containsExactly(0x42);
        }
    }

    @Test
    void passesAListenerFailureOnAndStaysUsable() {
        try (VirtualMachine machine = Guests.load(hypervisor, "e4 60 f4")) {
            RecordingListener failing = new RecordingListener(() -> {
                throw new IllegalStateException("handler broke");
            });

            assertThatThrownBy(() -> machine.run(Set.of(), failing)).hasMessage("handler broke");

            machine.setRegisters(machine.registers().withRip(0x1000));
            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
        }
    }

    @Test
    void deliversEveryOutputOfAChattyGuestInOrder() {
        // mov ecx,100000; mov dx,0x80; L: mov eax,ecx; out dx,eax; dec ecx; jnz L; hlt
        try (VirtualMachine machine = Guests.load(hypervisor, "66 b9 a0 86 01 00 ba 80 00 66 89 c8 66 ef 66 49 75 f7 f4")) {
            List<Long> values = new ArrayList<>();
            RecordingListener listener = new RecordingListener() {
                @Override
                public void portOut(int port, int size, long value) {
                    values.add(value);
                }
            };

            assertThat(machine.run(Set.of(), listener)).isEqualTo(StopCause.hlt());

            assertThat(values).hasSize(100_000);
            for (int i = 0; i < values.size(); i++) {
                assertThat(values.get(i)).isEqualTo(100_000L - i);
            }
        }
    }

    @Test
    void sharesOneWorkerBetweenSequentialMachines() {
        long first;
        try (VirtualMachine machine = Guests.load(hypervisor, "f4")) {
            first = Guests.workerPid(machine);
        }
        try (VirtualMachine machine = Guests.load(hypervisor, "f4")) {
            assertThat(Guests.workerPid(machine)).isEqualTo(first);
        }
    }
}
