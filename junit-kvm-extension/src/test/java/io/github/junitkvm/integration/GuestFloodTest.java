package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import org.junit.jupiter.api.Test;

/**
 * Guests that spread their output over many ports keep no more of it than a guest that writes to
 * one: {@code maxRecordedOutput} bounds the output of all ports together.
 */
class GuestFloodTest {
    @Test
    @KvmGuest(maxRecordedOutput = 50, asm = """
                    mov $0x80, %dx
                    mov $0x1000, %si
                    mov $40, %cx
                    rep outsb
                    inc %dx
                    mov $40, %cx
                    rep outsb
                    mov $0x3f8, %dx
                    mov $'x', %al
                    out %al, %dx
                    hlt
            """)
    void theOutputOfAllPortsTogetherIsKeptUpToTheLimit(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).portOutput(0x80).hasSize(40);
        assertThat(run).portOutput(0x81).hasSize(10);
        assertThat(run.droppedOutputBytes(0x80)).isZero();
        assertThat(run.droppedOutputBytes(0x81)).isEqualTo(30);
        assertThat(run).exits().hasSize(40 + 40 + 1 + 1);
    }

    @Test
    @KvmGuest(maxRecordedOutput = 4, asm = """
                    mov $0x80, %dx
                    mov $0x12345678, %eax
                    out %ax, %dx
                    mov $0x3f8, %dx
                    mov $'a', %al
                    out %al, %dx
                    mov $'b', %al
                    out %al, %dx
                    mov $'c', %al
                    out %al, %dx
                    hlt
            """)
    void theSerialOutputIsPartOfThatLimit(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).portOutput(0x80).containsExactly(0x78, 0x56);
        assertThat(run).serialOutput().isEqualTo("ab");
        assertThat(run.droppedOutputBytes(0x3f8)).isEqualTo(1);
        assertThat(run.toString())
                .contains("serial output: \"ab\" and 1 bytes not recorded, past @KvmGuest(maxRecordedOutput)");
    }
}
