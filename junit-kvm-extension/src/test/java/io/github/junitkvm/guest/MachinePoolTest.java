package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anySet;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool's and the guest layer's decisions about reuse, on mocked machines. */
class MachinePoolTest {
    private static final List<RamRegion> RAM = List.of(new RamRegion(0x1000, 0x1000, false));
    private static final MachineConfig CONFIG = new MachineConfig(RAM, CpuMode.REAL);

    private final Hypervisor hypervisor = mock(Hypervisor.class);
    private final List<VirtualMachine> created = new ArrayList<>();
    private final MachinePool pool = new MachinePool();
    private final List<Boolean> obtained = new ArrayList<>();
    private final MachineSource source = pool.on(hypervisor, obtained::add);
    private final GuestSpec spec = new GuestSpec(RAM, CpuMode.REAL, new byte[] {(byte) 0xf4}, 0x1000,
            GeneralRegisters.initial().withRip(0x1000), Duration.ofSeconds(5));

    @BeforeEach
    void machines() {
        when(hypervisor.backend()).thenReturn(Backend.EMULATOR);
        when(hypervisor.createResettableMachine(any())).thenAnswer(call -> {
            VirtualMachine machine = mock(VirtualMachine.class);
            when(machine.readMemory(anyLong(), anyInt())).thenAnswer(read -> new byte[(int) read.getArgument(1)]);
            when(machine.registers()).thenReturn(GeneralRegisters.initial());
            when(machine.specialRegisters()).thenReturn(GuestVmTest.RESET);
            when(machine.run(anySet(), any())).thenReturn(StopCause.hlt());
            created.add(machine);
            return machine;
        });
    }

    @Test
    void aCleanlyReleasedMachineIsResetAndGivenToTheNextVmWithTheSameConfiguration() {
        VirtualMachine first = source.obtain(CONFIG);
        source.release(first, CONFIG, true);

        verify(first).reset();
        assertThat(source.obtain(CONFIG)).isSameAs(first);
        assertThat(source.obtain(new MachineConfig(RAM, CpuMode.PROTECTED))).isNotSameAs(first);
        assertThat(obtained).containsExactly(false, true, false);
    }

    @Test
    void aMachineReleasedAsNotReusableIsClosedNotReset() {
        VirtualMachine machine = source.obtain(CONFIG);
        source.release(machine, CONFIG, false);

        verify(machine).close();
        verify(machine, never()).reset();
        assertThat(pool.parkedCount()).isZero();
    }

    @Test
    void parksAFewMachinesPerConfigurationAndClosesTheRest() {
        List<VirtualMachine> machines = new ArrayList<>();
        for (int i = 0; i <= MachinePool.PARKED_PER_CONFIG; i++) {
            machines.add(source.obtain(CONFIG));
        }
        machines.forEach(machine -> source.release(machine, CONFIG, true));

        assertThat(pool.parkedCount()).isEqualTo(MachinePool.PARKED_PER_CONFIG);
        verify(machines.get(MachinePool.PARKED_PER_CONFIG)).close();
    }

    @Test
    void aFailedResetClosesTheMachineAndSaysSo() {
        VirtualMachine machine = source.obtain(CONFIG);
        doThrow(new HypervisorException("KVM_SET_MSRS refused")).when(machine).reset();

        assertThatThrownBy(() -> source.release(machine, CONFIG, true)).hasMessage("KVM_SET_MSRS refused");
        verify(machine).close();
        assertThat(pool.parkedCount()).isZero();
    }

    @Test
    void closingThePoolClosesTheParkedMachinesAndEveryMachineReleasedLater() {
        VirtualMachine parked = source.obtain(CONFIG);
        VirtualMachine inUse = source.obtain(CONFIG);
        source.release(parked, CONFIG, true);

        pool.close();
        verify(parked).close();
        source.release(inUse, CONFIG, true);
        verify(inUse).close();
        verify(inUse, never()).reset();
    }

    @Test
    void aVmWhoseRunsHaltedGivesItsMachineBackForReuse() {
        try (GuestVm vm = GuestVm.create(source, spec, run -> { })) {
            vm.run();
        }
        verify(created.get(0)).reset();
        assertThat(pool.parkedCount()).isEqualTo(1);
    }

    @Test
    void aVmWhoseRunWasStoppedClosesItsMachine() {
        try (GuestVm vm = GuestVm.create(source, spec, run -> { })) {
            when(created.get(0).run(anySet(), any())).thenReturn(StopCause.stopRequested());
            vm.run();
        }
        verify(created.get(0)).close();
        verify(created.get(0), never()).reset();
    }

    @Test
    void aVmWhoseRunThrewClosesItsMachine() {
        try (GuestVm vm = GuestVm.create(source, spec, run -> { })) {
            when(created.get(0).run(anySet(), any())).thenThrow(new IllegalStateException("the worker died"));
            assertThatThrownBy(vm::run).hasMessage("the worker died");
        }
        verify(created.get(0)).close();
        verify(created.get(0), never()).reset();
    }
}
