package io.github.junitkvm.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.InstructionTrace;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceRecorderTest {

    @Test
    void keepsEverythingWhileThereIsRoom() {
        TraceRecorder recorder = new TraceRecorder(4);
        recorder.record(0x1000);
        recorder.record(0x1003);

        assertThat(recorder.snapshot()).isEqualTo(new InstructionTrace(List.of(0x1000L, 0x1003L), 2));
        assertThat(recorder.snapshot().complete()).isTrue();
    }

    @Test
    void keepsTheLastAddressesOldestFirstAndCountsThemAll() {
        TraceRecorder recorder = new TraceRecorder(3);
        for (long address = 1; address <= 10; address++) {
            recorder.record(address);
        }

        InstructionTrace trace = recorder.snapshot();
        assertThat(trace.addresses()).containsExactly(8L, 9L, 10L);
        assertThat(trace.executed()).isEqualTo(10);
        assertThat(trace.complete()).isFalse();
    }

    @Test
    void appendedPartsJoinAsOneRun() {
        TraceRecorder recorder = new TraceRecorder(4);
        recorder.append(new InstructionTrace(List.of(1L, 2L), 2));
        recorder.append(new InstructionTrace(List.of(3L), 1));

        assertThat(recorder.snapshot()).isEqualTo(new InstructionTrace(List.of(1L, 2L, 3L), 3));
    }

    @Test
    void anAppendedPartThatKeptOnlyItsLastAddressesKeepsThoseAndCountsAll() {
        TraceRecorder recorder = new TraceRecorder(3);
        recorder.append(new InstructionTrace(List.of(1L, 2L), 2));
        recorder.append(new InstructionTrace(List.of(8L, 9L, 10L), 10));
        recorder.append(new InstructionTrace(List.of(11L), 1));

        assertThat(recorder.snapshot()).isEqualTo(new InstructionTrace(List.of(9L, 10L, 11L), 13));
    }

    @Test
    void anUnusedRecorderHasAnEmptyTrace() {
        assertThat(new TraceRecorder(1).snapshot()).isEqualTo(InstructionTrace.empty());
    }

    @Test
    void refusesACapacityOutOfRange() {
        assertThatThrownBy(() -> new TraceRecorder(0)).hasMessage("trace capacity 0 is not between 1 and 100000");
        assertThatThrownBy(() -> new TraceRecorder(TraceRecorder.MAX_CAPACITY + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TraceRecorder(TraceRecorder.MAX_CAPACITY).snapshot().executed()).isZero();
    }

    @Test
    void aMachineConfigTracesWithinTheSameRange() {
        assertThat(new MachineConfig(List.of(), io.github.junitkvm.CpuMode.REAL).tracing()).isFalse();
        assertThat(new MachineConfig(List.of(), io.github.junitkvm.CpuMode.REAL, 1).tracing()).isTrue();
        assertThatThrownBy(() -> new MachineConfig(List.of(), io.github.junitkvm.CpuMode.REAL, -1))
                .hasMessage("trace length -1 is not between 0 and 100000");
    }
}
