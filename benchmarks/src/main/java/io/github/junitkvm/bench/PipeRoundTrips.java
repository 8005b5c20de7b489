package io.github.junitkvm.bench;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.GetRegisters;
import io.github.junitkvm.emulator.protocol.Message;
import io.github.junitkvm.emulator.protocol.Message.Reply;
import io.github.junitkvm.emulator.protocol.Message.Request;
import io.github.junitkvm.emulator.protocol.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The C baseline of the emulator's round trip: two processes passing the same request and reply
 * over pipes ({@code pipe_loop}), with no work between: what the kernel's part of a round trip
 * costs on this machine.
 */
public final class PipeRoundTrips {
    /** The bytes of a {@code registers()} request and of its reply, as the emulator's codec writes them. */
    static final int REQUEST_BYTES = encodedSize(new Request(new GetRegisters(0)));
    static final int REPLY_BYTES = encodedSize(new Reply(GeneralRegisters.initial()));

    private final NativeBaseline program;

    /** @param program the compiled {@code pipe_loop} */
    public PipeRoundTrips(NativeBaseline program) {
        this.program = program;
    }

    /**
     * @param budget how long a round should last; the loop count adapts to it
     * @return a round: microseconds per round trip
     */
    public Round round(Duration budget) {
        Budgeted loops = new Budgeted(budget, 100, 100_000_000);
        return () -> {
            long count = loops.count();
            BaselineOutput output = program.run(Long.toString(count), Integer.toString(REQUEST_BYTES),
                    Integer.toString(REPLY_BYTES));
            if (output.number("count") != count) {
                throw new IllegalStateException(program.name() + " made " + output.number("count")
                        + " round trips, not " + count);
            }
            long nanos = output.number("ns");
            loops.took(nanos);
            return nanos / 1e3 / count;
        };
    }

    private static int encodedSize(Message message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            MessageCodec.write(new DataOutputStream(bytes), message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }
}
