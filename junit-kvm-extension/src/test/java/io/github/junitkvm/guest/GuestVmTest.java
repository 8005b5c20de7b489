package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anySet;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestAssertion;
import io.github.junitkvm.GuestLibrary;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.backend.ExitListener;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The guest layer on a mocked backend: what it asks of the machine and what it records. */
class GuestVmTest {
    private static final long REPORT = 0x1800;
    private static final Segment RESET_CS = new Segment(0xf000, 0xffff0000L, 0xffff, 0xb, true, 0,
            false, true, false, false, false, false);
    static final SpecialRegisters RESET = new SpecialRegisters(RESET_CS, RESET_CS, RESET_CS, RESET_CS,
            RESET_CS, RESET_CS, RESET_CS, RESET_CS, new DescriptorTable(0, 0xffff), new DescriptorTable(0, 0xffff),
            0x60000010L, 0, 0, 0, 0, 0, 0xfee00900L);

    private final VirtualMachine machine = mock(VirtualMachine.class);
    private final Hypervisor hypervisor = mock(Hypervisor.class);
    private final GuestSpec spec = new GuestSpec(List.of(new RamRegion(0x1000, 0x1000, false),
            new RamRegion(0x2000, 0x1000, false)), CpuMode.REAL, new byte[] {(byte) 0xf4}, 0x1000,
            GeneralRegisters.initial().withRip(0x1000).withRax(2), Duration.ofSeconds(5));

    @BeforeEach
    void backend() {
        when(hypervisor.backend()).thenReturn(Backend.EMULATOR);
        when(hypervisor.createMachine(any())).thenReturn(machine);
        when(machine.specialRegisters()).thenReturn(RESET);
        when(machine.registers()).thenReturn(GeneralRegisters.initial());
        when(machine.readMemory(anyLong(), anyInt())).thenAnswer(call -> new byte[(int) call.getArgument(1)]);
    }

    @Test
    void createsTheMachineLoadsTheCodeAndStartsInRealModeAtBaseZero() {
        GuestVm.create(hypervisor, spec);

        verify(hypervisor).createMachine(new MachineConfig(spec.ram(), CpuMode.REAL));
        InOrder order = inOrder(machine);
        order.verify(machine).writeMemory(0x1000, new byte[] {(byte) 0xf4});
        order.verify(machine).setSpecialRegisters(org.mockito.ArgumentMatchers.argThat(s ->
                s.cs().base() == 0 && s.cs().selector() == 0 && s.ss().base() == 0 && s.ds().base() == 0
                        && s.cr0() == RESET.cr0()));
        order.verify(machine).setRegisters(spec.registers());
    }

    @Test
    void aTracedGuestAsksForATraceAndItsRunsCarryTheMachinesTrace() {
        GuestSpec traced = new GuestSpec(spec.ram(), spec.mode(), spec.image(), spec.registers(), spec.timeout(),
                RecordingLimits.DEFAULT, 64);
        InstructionTrace trace = new InstructionTrace(List.of(0x1000L), 1);
        when(machine.lastRunTrace()).thenReturn(trace);
        guestDoes(listener -> StopCause.hlt());

        GuestRun run = GuestVm.create(hypervisor, traced).run();

        verify(hypervisor).createMachine(new MachineConfig(spec.ram(), CpuMode.REAL, 64));
        assertThat(run.trace()).contains(trace);
    }

    @Test
    void anUntracedGuestsRunsHaveNoTrace() {
        guestDoes(listener -> StopCause.hlt());

        assertThat(GuestVm.create(hypervisor, spec).run().trace()).isEmpty();
        verify(machine, never()).lastRunTrace();
    }

    @Test
    void closesTheMachineWhenLoadingFails() {
        doAnswer(call -> {
            throw new IllegalStateException("refused");
        }).when(machine).setRegisters(any());

        assertThatIllegalStateException().isThrownBy(() -> GuestVm.create(hypervisor, spec)).withMessage("refused");
        verify(machine).close();
    }

    @Test
    void recordsEveryExitInOrderWithTheStopLast() {
        guestDoes(listener -> {
            listener.portOut(0x3f8, 1, '4');
            listener.portIn(0x60, 1);
            listener.mmioWrite(0xd0000000L, 4, 0x1234);
            listener.portOut(0x3f8, 1, '\n');
            return StopCause.hlt();
        });

        GuestRun run = GuestVm.create(hypervisor, spec).run();

        assertThat(run.exits()).containsExactly(VmExit.ioOut(0x3f8, '4'), VmExit.ioIn(0x60, 1),
                VmExit.mmioWrite(0xd0000000L, 4, 0x1234), VmExit.ioOut(0x3f8, '\n'), VmExit.hlt());
        assertThat(run.serialOutput()).isEqualTo("4\n");
        assertThat(run.portOutput(0x3f8)).containsExactly('4', '\n');
        assertThat(run.portOutput(0x80)).isEmpty();
        assertThat(run.lastExit()).isEqualTo(VmExit.hlt());
        assertThat(run.exitCode()).isEmpty();
        assertThat(run.backend()).isEqualTo(Backend.EMULATOR);
    }

    @Test
    void widerPortWritesContributeTheirBytesLittleEndian() {
        guestDoes(listener -> {
            listener.portOut(0x80, 2, 0x1234);
            listener.portOut(0x80, 4, 0xdeadbeefL);
            return StopCause.hlt();
        });

        assertThat(GuestVm.create(hypervisor, spec).run().portOutput(0x80))
                .containsExactly(0x34, 0x12, 0xef, 0xbe, 0xad, 0xde);
    }

    @Test
    void theTestsHandlersAnswerTheGuest() {
        long[] answered = new long[1];
        guestDoes(listener -> {
            answered[0] = listener.portIn(0x60, 1);
            return StopCause.hlt();
        });
        GuestVm vm = GuestVm.create(hypervisor, spec);
        vm.onPortIn(0x60, (port, size) -> 0x2a);

        vm.run();

        assertThat(answered[0]).isEqualTo(0x2a);
    }

    @Test
    void aDebugExitStopsTheRunWithItsCode() {
        guestDoes(listener -> StopCause.stopPort(0xf4, 1, 3));
        GuestVm vm = GuestVm.create(hypervisor, spec);

        GuestRun run = vm.run();

        verify(machine).run(org.mockito.ArgumentMatchers.eq(Set.of(0xf4, GuestLibrary.PORT)), any());
        assertThat(run.lastExit()).isEqualTo(VmExit.debugExit(3));
        assertThat(run.exitCode()).hasValue(3);
    }

    @Test
    void aLogReportIsRecordedAndTheMachineGoesOn() {
        ramHoldsReport(GuestReportReader.LOG, "hi %d", 7);
        int[] runs = {0};
        guestDoes(listener -> {
            if (runs[0]++ == 0) {
                listener.portOut(0x3f8, 1, 'a');
                return StopCause.stopPort(GuestLibrary.PORT, 4, REPORT);
            }
            return StopCause.hlt();
        });

        GuestRun run = GuestVm.create(hypervisor, spec).run();

        assertThat(runs[0]).isEqualTo(2);
        assertThat(run.guestLog()).containsExactly("hi 7");
        assertThat(run.exits()).containsExactly(VmExit.ioOut(0x3f8, 'a'), VmExit.ioOut(GuestLibrary.PORT, 4, REPORT),
                VmExit.hlt());
        assertThat(run.exits().get(1).detail()).isEqualTo("KVM_LOG \"hi 7\"");
        assertThat(run.portOutput(GuestLibrary.PORT)).containsExactly(0x00, 0x18, 0x00, 0x00);
        assertThat(run.guestReportedDone()).isFalse();
        assertThat(run.guestAssertionFailure()).isEmpty();
    }

    @Test
    void doneEndsTheRun() {
        ramHoldsReport(GuestReportReader.DONE, null, null);
        guestDoes(listener -> StopCause.stopPort(GuestLibrary.PORT, 4, REPORT));

        GuestRun run = GuestVm.create(hypervisor, spec).run();

        verify(machine).run(anySet(), any());
        assertThat(run.exits()).containsExactly(VmExit.guestDone());
        assertThat(run.guestReportedDone()).isTrue();
    }

    @Test
    void aFailedAssertionEndsTheRunWithTheAssertionAsDetail() {
        ramHoldsReport(GuestReportReader.ASSERT, "n is %d", -1);
        guestDoes(listener -> StopCause.stopPort(GuestLibrary.PORT, 4, REPORT));

        GuestRun run = GuestVm.create(hypervisor, spec).run();

        assertThat(run.lastExit()).isEqualTo(VmExit.guestAssertionFailed());
        assertThat(run.lastExit().detail()).isEqualTo("KVM_FAIL: n is -1");
        assertThat(run.guestAssertionFailure()).map(GuestAssertion::message).contains("n is -1");
        assertThat(run.guestReportedDone()).isFalse();
    }

    @Test
    void aGuestThatKeepsLoggingStillStopsAtTheTimeLimit() {
        ramHoldsReport(GuestReportReader.LOG, "again", null);
        guestDoes(listener -> {
            Thread.sleep(10);
            return StopCause.stopPort(GuestLibrary.PORT, 4, REPORT);
        });

        GuestRun run = GuestVm.create(hypervisor, spec).run(Duration.ofMillis(50));

        assertThat(run.lastExit().reason()).isEqualTo(ExitReason.TIMEOUT);
        assertThat(run.guestLog()).isNotEmpty().containsOnly("again");
    }

    /** Guest RAM [0x1000, 0x3000) holding a report at {@link #REPORT} and its format after it. */
    private void ramHoldsReport(int kind, String format, Integer argument) {
        java.nio.ByteBuffer ram = java.nio.ByteBuffer.allocate(0x2000).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int report = (int) (REPORT - 0x1000);
        ram.putInt(report, GuestReportReader.MAGIC).put(report + 4, (byte) kind)
                .put(report + 5, (byte) (argument == null ? 0 : 1));
        if (format != null) {
            ram.putLong(report + 56, REPORT + 0x100).put(report + 0x100, format.getBytes(), 0, format.length());
        }
        if (argument != null) {
            ram.putLong(report + 64, argument);
        }
        when(machine.readMemory(anyLong(), anyInt())).thenAnswer(call -> {
            long address = call.getArgument(0);
            int length = call.getArgument(1);
            byte[] bytes = new byte[length];
            ram.get((int) (address - 0x1000), bytes);
            return bytes;
        });
    }

    @Test
    void aRequestedStopIsATimeoutExplainingTheLimit() {
        CountDownLatch stopped = stopRequests();
        guestDoes(listener -> {
            stopped.await(5, TimeUnit.SECONDS);
            return StopCause.stopRequested();
        });

        GuestRun run = GuestVm.create(hypervisor, spec).run(Duration.ofMillis(30));

        assertThat(run.lastExit().reason()).isEqualTo(ExitReason.TIMEOUT);
        assertThat(run.lastExit().detail()).isEqualTo("stopped at the time limit of 30 ms");
    }

    @Test
    void anInterruptedTestThreadStopsTheRun() {
        CountDownLatch stopped = stopRequests();
        guestDoes(listener -> {
            Thread.currentThread().interrupt();
            boolean wasStopped = awaitUninterruptibly(stopped);
            return wasStopped ? StopCause.stopRequested() : StopCause.hlt();
        });

        GuestRun run = GuestVm.create(hypervisor, spec).run();

        assertThat(Thread.interrupted()).as("interrupt status kept for the caller").isTrue();
        assertThat(run.lastExit().reason()).isEqualTo(ExitReason.TIMEOUT);
        assertThat(run.lastExit().detail()).contains("interrupted");
    }

    @Test
    void aRunStoppedByClosingTheVmSaysSoNotTheTimeLimit() {
        GuestVm vm = GuestVm.create(hypervisor, spec);
        vm.onPortIn(0x60, (port, size) -> {
            vm.close();
            return 0;
        });
        guestDoes(listener -> {
            listener.portIn(0x60, 1);
            return StopCause.stopRequested();
        });

        GuestRun run = vm.run(Duration.ofMinutes(1));

        assertThat(run.lastExit().reason()).isEqualTo(ExitReason.CLOSED);
        assertThat(run.lastExit().detail()).isEqualTo("stopped because KvmVm.close() was called during the run");
        verify(machine).close();
    }

    @Test
    void aCloseThatTheMachineNoticesFirstEndsTheRunAsClosedToo() {
        GuestVm vm = GuestVm.create(hypervisor, spec);
        guestDoes(listener -> {
            vm.close();
            throw new IllegalStateException("this emulator machine is closed");
        });

        assertThat(vm.run().lastExit().reason()).isEqualTo(ExitReason.CLOSED);
    }

    @Test
    void aCloseBeforeAGuestLibraryReportIsReadEndsTheRunAsClosed() {
        GuestVm vm = GuestVm.create(hypervisor, spec);
        guestDoes(listener -> {
            vm.close();
            return StopCause.stopPort(GuestLibrary.PORT, 4, REPORT);
        });

        assertThat(vm.run().lastExit().reason()).as("the report is in memory gone with the VM")
                .isEqualTo(ExitReason.CLOSED);
    }

    @Test
    void aMachineThatRefusesToRunWithoutACloseFailsTheCaller() {
        guestDoes(listener -> {
            throw new IllegalStateException("called from an exit listener");
        });

        assertThatIllegalStateException().isThrownBy(GuestVm.create(hypervisor, spec)::run)
                .withMessage("called from an exit listener");
    }

    @Test
    void aFailingHandlerStopsTheRunAndFailsTheCaller() {
        guestDoes(listener -> {
            listener.portOut(0x80, 1, 1);
            assertThat(listener.portIn(0x81, 1)).as("the guest still gets an answer").isEqualTo(0xff);
            return StopCause.stopRequested();
        });
        GuestVm vm = GuestVm.create(hypervisor, spec);
        vm.onPortOut(0x80, (port, size, value) -> {
            throw new AssertionError("unexpected write " + value);
        });

        assertThatThrownBy(vm::run).isInstanceOf(AssertionError.class).hasMessage("unexpected write 1");
        verify(machine).requestStop();
    }

    @Test
    void registersThatCannotBeReadAtTheStopSayWhy() {
        guestDoes(listener -> StopCause.fault(StopCause.Kind.EMULATOR_FAULT, -1, "worker died: tcg fatal error"));
        GuestVm vm = GuestVm.create(hypervisor, spec);
        when(machine.registers()).thenThrow(new IllegalStateException("the emulator worker died"));

        GuestRun run = vm.run();

        assertThat(run.lastExit()).isEqualTo(VmExit.of(ExitReason.EMULATOR_FAULT, -1, ""));
        assertThat(run.lastExit().detail()).isEqualTo("worker died: tcg fatal error");
        assertThatIllegalStateException().isThrownBy(run::registers).withMessageContaining("the emulator worker died");
        assertThat(run.toString()).contains("the emulator worker died");
    }

    @Test
    void memoryOutsideRamIsAnErrorNamingTheAddressAndTheRegions() {
        GuestVm vm = GuestVm.create(hypervisor, spec);

        assertThatIllegalArgumentException().isThrownBy(() -> vm.memory().read(0x2ff0, 0x20))
                .withMessage("cannot read 32 bytes at guest address 0x2ff0: not inside guest RAM "
                        + "[0x1000, 0x2000), [0x2000, 0x3000)");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.memory().read(0x1000, -1))
                .withMessage("cannot read a negative length -1 at guest address 0x1000");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.memory().writeLong(0x800, 1))
                .withMessageContaining("cannot write 8 bytes at guest address 0x800");
    }

    @Test
    void memorySpanningAdjacentRegionsIsSplitPerRegion() {
        GuestVm vm = GuestVm.create(hypervisor, spec);

        vm.memory().writeInt(0x1ffe, 0x11223344);

        verify(machine).writeMemory(0x1ffe, new byte[] {0x44, 0x33});
        verify(machine).writeMemory(0x2000, new byte[] {0x22, 0x11});
    }

    @Test
    void aRunsMemoryIsStaleOnceTheVmRunsAgain() {
        guestDoes(listener -> StopCause.hlt());
        GuestVm vm = GuestVm.create(hypervisor, spec);
        GuestRun first = vm.run();
        first.memory().read(0x1000, 4);

        vm.run();

        assertThatIllegalStateException().isThrownBy(() -> first.memory().read(0x1000, 4))
                .withMessageContaining("the VM has run again");
    }

    @Test
    void aClosedVmRefusesUseAndClosesItsMachineOnce() {
        GuestVm vm = GuestVm.create(hypervisor, spec);
        vm.close();
        vm.close();

        assertThatIllegalStateException().isThrownBy(vm::run).withMessage("this KvmVm is closed");
        assertThatIllegalStateException().isThrownBy(vm::memory);
        assertThatIllegalStateException().isThrownBy(vm::registers);
        // Once: with junitkvm.reuseVms the machine may belong to another VM by the second close.
        verify(machine).close();
    }

    @Test
    void onMmioRefusesRangesInsideRam() {
        GuestVm vm = GuestVm.create(hypervisor, spec);

        assertThatIllegalArgumentException().isThrownBy(() -> vm.onMmio(0x0, 0x1001, (a, s) -> 0))
                .withMessageContaining("onMmio range [0x0, 0x1001) overlaps guest RAM");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onMmio(0x8000, 0, (a, s) -> 0))
                .withMessageContaining("not positive");
    }

    @Test
    void onMmioMayCoverReadOnlyRegionsButNotWritableOnes() {
        GuestSpec rom = new GuestSpec(List.of(new RamRegion(0x1000, 0x1000, false), new RamRegion(0x2000, 0x1000, true)),
                spec.mode(), spec.image(), spec.registers(), spec.timeout());
        GuestVm vm = GuestVm.create(hypervisor, rom);

        vm.onMmio(0x2000, 0x2000, (a, s) -> 0);
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onMmio(0x1fff, 1, (a, s) -> 0))
                .withMessageContaining("[0x1000, 0x2000), [0x2000, 0x3000) read-only");
    }

    /** @return a latch the machine's {@code requestStop()} counts down */
    private CountDownLatch stopRequests() {
        CountDownLatch stopped = new CountDownLatch(1);
        doAnswer(call -> {
            stopped.countDown();
            return null;
        }).when(machine).requestStop();
        return stopped;
    }

    private void guestDoes(Guest guest) {
        when(machine.run(anySet(), any())).thenAnswer(call -> guest.run(call.getArgument(1)));
    }

    private static boolean awaitUninterruptibly(CountDownLatch latch) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (latch.getCount() == 0) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** What the mocked guest does during a run. */
    @FunctionalInterface
    private interface Guest {
        StopCause run(ExitListener listener) throws Exception;
    }
}
