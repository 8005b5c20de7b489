package io.github.junitkvm.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StderrTailTest {
    private static final long TIMEOUT_MILLIS = 120_000;

    @Test
    void keepsTheLastLinesEachCut() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            text.append("line ").append(i).append("\r\n");
        }
        text.append("y".repeat(1000)).append("\nno newline at the end");

        String kept = tailOf(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)));

        assertThat(kept.lines()).hasSize(30).startsWith("line 12").endsWith("y".repeat(400) + "...",
                "no newline at the end");
    }

    @Test
    void aLineThatGoesOnPastWhatAnArrayHoldsIsCutAndLaterLinesStillCome() {
        // More than the largest array: a line read whole before it is cut would end the reading thread
        // with an OutOfMemoryError.
        InputStream endlessLine = new RepeatedByte('x', Integer.MAX_VALUE + 1L);
        InputStream stderr = new SequenceInputStream(endlessLine,
                new ByteArrayInputStream("\nlast words\n".getBytes(StandardCharsets.UTF_8)));

        assertThat(tailOf(stderr)).isEqualTo("x".repeat(400) + "...\nlast words");
    }

    private static String tailOf(InputStream stderr) {
        StderrTail tail = new StderrTail(stderr, "stderr-tail-test");
        tail.awaitEnd(TIMEOUT_MILLIS);
        return tail.text();
    }

    /** One byte, a given number of times, without holding them. */
    private static final class RepeatedByte extends InputStream {
        private final byte value;
        private long remaining;

        RepeatedByte(char value, long count) {
            this.value = (byte) value;
            this.remaining = count;
        }

        @Override
        public int read() {
            if (remaining == 0) {
                return -1;
            }
            remaining--;
            return value;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (remaining == 0) {
                return -1;
            }
            int count = (int) Math.min(length, remaining);
            Arrays.fill(buffer, offset, offset + count, value);
            remaining -= count;
            return count;
        }
    }
}
