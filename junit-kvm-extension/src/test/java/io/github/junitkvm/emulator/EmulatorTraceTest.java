package io.github.junitkvm.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.testsupport.RecordingListener;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulator's trace through the backend SPI: recorded in the worker, carried back with the stop. */
class EmulatorTraceTest {
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
    void aTracingMachineBringsBackTheLastInstructionsOfEachRun() {
        try (VirtualMachine machine = Guests.loadTraced(hypervisor, 4, Guests.CLASSIC)) {
            assertThat(machine.lastRunTrace()).as("before the first run").isEqualTo(InstructionTrace.empty());

            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());

            // mov dx ; add al,bl ; add al,'0' ; out ; mov al,10 ; out ; hlt: seven, the last four kept
            assertThat(machine.lastRunTrace()).isEqualTo(new InstructionTrace(List.of(0x1007L, 0x1008L, 0x100aL,
                    0x100bL), 7));
        }
    }

    @Test
    void aMachineThatDoesNotTraceHasEmptyTraces() {
        try (VirtualMachine machine = Guests.load(hypervisor, Guests.CLASSIC)) {
            machine.run(Set.of(), new RecordingListener());

            assertThat(machine.lastRunTrace()).isEqualTo(InstructionTrace.empty());
        }
    }

    @Test
    void theTraceDiesWithAWorkerThatUnicornAborts() {
        try (VirtualMachine machine = Guests.loadTraced(hypervisor, 4, "90 ff d9 f4")) {
            StopCause cause = machine.run(Set.of(), new RecordingListener());

            if (hypervisor.unicornVersion().startsWith("2.0.")) {
                assertThat(cause.kind()).isEqualTo(StopCause.Kind.EMULATOR_FAULT);
                assertThat(machine.lastRunTrace()).isEqualTo(InstructionTrace.empty());
            } else {
                // Later versions raise #UD at ff d9; this machine has no RAM for the IVT, read from MMIO
                // (0000:0000), where the handler's fetch from outside RAM stops the run. The trace
                // ends at the ff d9.
                assertThat(cause.kind()).isEqualTo(StopCause.Kind.INTERNAL_ERROR);
                assertThat(machine.lastRunTrace()).isEqualTo(new InstructionTrace(List.of(0x1000L, 0x1001L), 2));
            }
        }
    }

    @Test
    void aClosedMachineHasNoTrace() {
        VirtualMachine machine = Guests.loadTraced(hypervisor, 4, Guests.CLASSIC);
        machine.close();

        assertThatIllegalStateException().isThrownBy(machine::lastRunTrace)
                .withMessage("this machine is closed");
    }
}
