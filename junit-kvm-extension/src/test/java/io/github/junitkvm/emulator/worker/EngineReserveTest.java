package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.VirtualMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class EngineReserveTest {
    private static final MachineConfig REAL = new MachineConfig(List.of(new RamRegion(0x1000, 0x1000, false)),
            CpuMode.REAL);
    private static final MachineConfig LONG = new MachineConfig(List.of(new RamRegion(0x1000, 0x1000, false)),
            CpuMode.LONG);

    private final List<MachineConfig> opened = new ArrayList<>();
    private final List<VirtualMachine> machines = new ArrayList<>();
    private final EngineReserve reserve = new EngineReserve(config -> {
        opened.add(config);
        VirtualMachine machine = mock(VirtualMachine.class);
        machines.add(machine);
        return machine;
    });

    @Test
    void aMachineIsOpenedWhenAskedForAndASpareOfItsConfigurationOnceNothingWaits() {
        assertThat(reserve.hasWorkAhead()).isFalse();

        VirtualMachine machine = reserve.open(REAL);
        assertThat(opened).containsExactly(REAL);
        assertThat(machine).isSameAs(machines.get(0));

        assertThat(reserve.hasWorkAhead()).isTrue();
        reserve.workAhead();
        assertThat(opened).containsExactly(REAL, REAL);
        assertThat(reserve.hasWorkAhead()).isFalse();
        assertThat(reserve.takeSpare(REAL)).as("the reset of the machine").isSameAs(machines.get(1));
    }

    @Test
    void aDestroyedMachineIsClosedBeforeTheSpareIsOpenedAndTheNextSuchMachineTakesTheSpare() {
        VirtualMachine first = reserve.open(REAL);
        reserve.destroyed(first, REAL);
        verifyNoInteractions(first);

        reserve.workAhead();
        verify(first).close();
        assertThat(opened).containsExactly(REAL);
        reserve.workAhead();
        assertThat(opened).containsExactly(REAL, REAL);
        assertThat(reserve.hasWorkAhead()).isFalse();

        assertThat(reserve.open(REAL)).isSameAs(machines.get(1));
        assertThat(opened).hasSize(2);
        assertThat(reserve.takeSpare(REAL)).isNull();
    }

    @Test
    void aMachineOfAnotherConfigurationIsOpenedOnDemandAndTheSpareReplacedOnceNothingWaits() {
        reserve.destroyed(reserve.open(REAL), REAL);
        reserve.workAhead();
        reserve.workAhead();
        VirtualMachine spare = machines.get(1);

        VirtualMachine other = reserve.open(LONG);
        assertThat(other).isNotSameAs(spare);
        assertThat(opened).containsExactly(REAL, REAL, LONG);
        assertThat(reserve.takeSpare(LONG)).isNull();

        reserve.workAhead();
        verify(spare).close();
        reserve.workAhead();
        assertThat(opened).containsExactly(REAL, REAL, LONG, LONG);
        assertThat(reserve.hasWorkAhead()).isFalse();
        assertThat(reserve.takeSpare(LONG)).isSameAs(machines.get(3));
    }

    @Test
    void aSpareThatCannotBeOpenedIsNotTriedAgainAndTheNextMachineIsOpenedOnDemand() {
        List<MachineConfig> attempts = new ArrayList<>();
        Function<MachineConfig, VirtualMachine> failingAfterTheFirst = config -> {
            attempts.add(config);
            if (attempts.size() > 1) {
                throw new IllegalStateException("out of memory for now");
            }
            return mock(VirtualMachine.class);
        };
        EngineReserve failing = new EngineReserve(failingAfterTheFirst);
        failing.destroyed(failing.open(REAL), REAL);
        failing.workAhead();
        failing.workAhead();

        assertThat(attempts).hasSize(2);
        assertThat(failing.hasWorkAhead()).isFalse();
        assertThat(failing.takeSpare(REAL)).isNull();
    }
}
