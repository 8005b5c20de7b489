package io.github.junitkvm.emulator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.BYTE_ARRAY;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.emulator.protocol.ExitCall.MmioRead;
import io.github.junitkvm.emulator.protocol.ExitCall.MmioWrite;
import io.github.junitkvm.emulator.protocol.ExitCall.PortIn;
import io.github.junitkvm.emulator.protocol.ExitCall.PortOut;
import io.github.junitkvm.emulator.protocol.MachineCall.GetRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.GetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.LastRunTrace;
import io.github.junitkvm.emulator.protocol.MachineCall.ReadMemory;
import io.github.junitkvm.emulator.protocol.MachineCall.Reset;
import io.github.junitkvm.emulator.protocol.MachineCall.Run;
import io.github.junitkvm.emulator.protocol.MachineCall.SetRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.SetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.MachineCall.WriteMemory;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Destroy;
import io.github.junitkvm.emulator.protocol.Message.Exit;
import io.github.junitkvm.emulator.protocol.Message.Failed;
import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.Message.Post;
import io.github.junitkvm.emulator.protocol.Message.Reply;
import io.github.junitkvm.emulator.protocol.Message.ReplyWithState;
import io.github.junitkvm.emulator.protocol.Message.Request;
import io.github.junitkvm.emulator.protocol.Message.Stop;
import io.github.junitkvm.emulator.protocol.Message.Unavailable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

class MessageCodecTest {

    static Stream<Message> messages() {
        GeneralRegisters registers = GeneralRegisters.fromArray(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
            13, 14, 15, -1, 0x1000, 0x202});
        Segment odd = new Segment(0x10, 0xffff_ffff_0000L, 0xfffff, 0xb, true, 3, true, true, false, true, true, false);
        Segment unusable = new Segment(0, 0, 0, 0, false, 0, false, false, true, false, false, true);
        SpecialRegisters special = new SpecialRegisters(odd, Segment.realMode(0x20, 3), unusable,
                Segment.realMode(0, 3), Segment.realMode(0xffff, 3), odd, unusable, odd,
                new DescriptorTable(0x500, 0x17), new DescriptorTable(-8, 0xffff), 0x60000011, 2, 3, 4, 5,
                0xd01, 0xfee00900L);
        return Stream.of(
                new Create(new MachineConfig(List.of(new RamRegion(0, 0x1000, false),
                        new RamRegion(0x10_0000, 0x20_0000, true)), CpuMode.PAGED)),
                new Create(new MachineConfig(List.of(), CpuMode.REAL)),
                new Create(new MachineConfig(List.of(new RamRegion(0, 0x1000, false)), CpuMode.LONG, 100_000)),
                new Destroy(),
                new Request(new Reset()),
                new Request(new ReadMemory(0xfffff, 17)),
                new Request(new WriteMemory(0x1000, new byte[] {1, -1, 0, 127})),
                new Request(new WriteMemory(0, new byte[0])),
                new Request(new GetRegisters(0)),
                new Request(new SetRegisters(3, registers)),
                new Request(new GetSpecialRegisters(15)),
                new Request(new SetSpecialRegisters(0, special)),
                new Request(new Run(7, Set.of(0xf4, 0x3f8, 0xffff),
                        List.of(new ExitInterest(true, Set.of(0x3f8), Set.of())))),
                new Request(new Run(Integer.MAX_VALUE, Set.of(),
                        List.of(new ExitInterest(true, Set.of(), Set.of(0xc000_0080L)),
                        ExitInterest.IDLE, new ExitInterest(true, Set.of(0x80, 0xffff), Set.of(0L, 0xffff_ffffL)),
                        ExitInterest.IDLE))),
                new Request(new LastRunTrace()),
                new Post(new SetRegisters(0, registers)),
                new Post(new WriteMemory(0x2000, new byte[] {9})),
                new Stop(42),
                new Ready("2.0"),
                new Unavailable("libunicorn.so.2: cannot open shared object file — ünïcödé"),
                new Reply(null),
                new Reply(-1L),
                new Reply(registers),
                new Reply(special),
                new Reply(Set.of(0x60, 0xffff)),
                new Reply(StopCause.hlt()),
                new Reply(Arrays.asList(StopCause.hlt(), null, StopCause.stopRequested())),
                new Reply(StopCause.stopPort(0xf4, 1, 0x42)),
                new Reply(StopCause.fault(StopCause.Kind.EMULATOR_FAULT, -1, "worker died:\nlast words")),
                new Reply(new InstructionTrace(List.of(0x1000L, -1L, 0xffff_ffff_ffffL), 1L << 40)),
                new ReplyWithState(null, new MachineState(registers, special)),
                new ReplyWithState(StopCause.hlt(), new MachineState(registers, special)),
                new Failed("no"),
                new Exit(1, new PortOut(0xffff, 4, 0xffff_ffffL), false),
                new Exit(0, new PortOut(0x60, 1, 0x7f), true),
                new Exit(15, new PortIn(0x60, 2), true),
                new Exit(2, new MmioWrite(0xfee0_0000L, 8, Long.MIN_VALUE), true),
                new Exit(0, new MmioRead(0x10_fff0, 1), true));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void roundTrips(Message message) throws IOException {
        assertThat(decode(encode(message))).isEqualTo(message);
    }

    @Test
    void readsMessagesBackToBackInOrder() throws IOException {
        List<Message> all = messages().toList();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (Message message : all) {
            MessageCodec.write(out, message);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));

        for (Message message : all) {
            assertThat(MessageCodec.read(in)).isEqualTo(message);
        }
        assertThatThrownBy(() -> MessageCodec.read(in)).isInstanceOf(EOFException.class);
    }

    @Test
    void carriesTheLargestTransferWhole() throws IOException {
        Message reply = decode(encode(new Reply(new byte[MessageCodec.MAX_BYTES])));

        assertThat(((Reply) reply).value()).isInstanceOf(byte[].class).asInstanceOf(BYTE_ARRAY)
                .hasSize(MessageCodec.MAX_BYTES);
    }

    @Test
    void rejectsAnUnknownTag() {
        assertThatThrownBy(() -> decode(new byte[] {99})).isInstanceOf(IOException.class).hasMessageContaining("tag 99");
    }

    @Test
    void takesAByteCountBeyondTheLargestTransferOrNegativeForACorruptStream() throws IOException {
        byte[] reply = encode(new Reply(new byte[0]));
        for (int claim : new int[] {MessageCodec.MAX_BYTES + 1, -1}) {
            ByteBuffer.wrap(reply).putInt(reply.length - Integer.BYTES, claim);

            assertThatThrownBy(() -> decode(reply)).isInstanceOf(IOException.class)
                    .hasMessage("corrupt protocol stream: byte count " + claim);
        }
    }

    @Test
    void takesValuesTheirRecordRefusesForACorruptStream() throws IOException {
        byte[] whole = encode(new Reply(new InstructionTrace(List.of(0x1000L, 0x1001L), 2)));
        whole[whole.length - 1] = 1; // the instruction count, the last field: fewer than the addresses

        assertThatThrownBy(() -> decode(whole)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("corrupt protocol stream: InstructionTrace refused its fields");
    }

    @Test
    void refusesToCarryAValueOfAnotherType() {
        assertThatThrownBy(() -> encode(new Reply(new Object()))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the emulator protocol cannot carry a java.lang.Object");
    }

    @Test
    void failsWithEofOnATruncatedMessage() throws IOException {
        byte[] whole = encode(new Exit(0, new PortOut(0x3f8, 1, 'x'), true));
        byte[] truncated = Arrays.copyOf(whole, whole.length - 1);

        assertThatThrownBy(() -> decode(truncated)).isInstanceOf(EOFException.class);
    }

    private static byte[] encode(Message message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        MessageCodec.write(new DataOutputStream(bytes), message);
        return bytes.toByteArray();
    }

    private static Message decode(byte[] bytes) throws IOException {
        return MessageCodec.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
