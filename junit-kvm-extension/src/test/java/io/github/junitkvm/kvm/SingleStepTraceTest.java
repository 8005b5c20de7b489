package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.InstructionTrace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which addresses a single-stepped run records: each instruction once the vCPU has started it. */
class SingleStepTraceTest {

    @Test
    void eachStepRecordsTheInstructionItCompleted() {
        SingleStepTrace trace = new SingleStepTrace(8, 0x1000);
        trace.stepped(0x1003);
        trace.stepped(0x1005);

        assertThat(trace.snapshot()).isEqualTo(new InstructionTrace(List.of(0x1000L, 0x1003L), 2));
    }

    @Test
    void anInstructionThatEndsTheRunIsRecordedOnce() {
        SingleStepTrace trace = new SingleStepTrace(8, 0x1000);
        trace.stepped(0x1001);
        trace.finish(true);
        trace.finish(true);

        assertThat(trace.snapshot().addresses()).containsExactly(0x1000L, 0x1001L);
    }

    @Test
    void aStopBeforeTheNextInstructionLeavesItOut() {
        SingleStepTrace trace = new SingleStepTrace(8, 0x1000);
        trace.stepped(0x1000);
        trace.finish(false);

        assertThat(trace.snapshot()).isEqualTo(new InstructionTrace(List.of(0x1000L), 1));
    }
}
