package io.github.junitkvm.emulator.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.emulator.protocol.Message.Answer;
import io.github.junitkvm.emulator.protocol.Message.Create;
import io.github.junitkvm.emulator.protocol.Message.Destroy;
import io.github.junitkvm.emulator.protocol.Message.Done;
import io.github.junitkvm.emulator.protocol.Message.Failed;
import io.github.junitkvm.emulator.protocol.Message.GetRegisters;
import io.github.junitkvm.emulator.protocol.Message.GetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.Message.MemoryContent;
import io.github.junitkvm.emulator.protocol.Message.MmioRead;
import io.github.junitkvm.emulator.protocol.Message.MmioWrite;
import io.github.junitkvm.emulator.protocol.Message.PortIn;
import io.github.junitkvm.emulator.protocol.Message.PortOut;
import io.github.junitkvm.emulator.protocol.Message.ReadMemory;
import io.github.junitkvm.emulator.protocol.Message.Ready;
import io.github.junitkvm.emulator.protocol.Message.RegistersContent;
import io.github.junitkvm.emulator.protocol.Message.Reset;
import io.github.junitkvm.emulator.protocol.Message.Run;
import io.github.junitkvm.emulator.protocol.Message.SetRegisters;
import io.github.junitkvm.emulator.protocol.Message.SetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.Message.SpecialRegistersContent;
import io.github.junitkvm.emulator.protocol.Message.Stop;
import io.github.junitkvm.emulator.protocol.Message.Stopped;
import io.github.junitkvm.emulator.protocol.Message.Unavailable;
import io.github.junitkvm.emulator.protocol.Message.WriteMemory;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
                new Reset(),
                new ReadMemory(0xfffff, 17),
                new WriteMemory(0x1000, new byte[] {1, -1, 0, 127}),
                new WriteMemory(0, new byte[0]),
                new GetRegisters(),
                new SetRegisters(registers),
                new GetSpecialRegisters(),
                new SetSpecialRegisters(special),
                new Run(7, Set.of(0xf4, 0x3f8, 0xffff)),
                new Run(Integer.MAX_VALUE, Set.of()),
                new Answer(-1),
                new Stop(42),
                new Ready("2.0"),
                new Unavailable("libunicorn.so.2: cannot open shared object file — ünïcödé"),
                new Done(),
                new Failed("no"),
                new MemoryContent(new byte[] {9, 8, 7}),
                new RegistersContent(registers),
                new SpecialRegistersContent(special),
                new PortOut(0xffff, 4, 0xffff_ffffL),
                new PortIn(0x60, 2),
                new MmioWrite(0xfee0_0000L, 8, Long.MIN_VALUE),
                new MmioRead(0x10_fff0, 1),
                new Stopped(StopCause.hlt()),
                new Stopped(StopCause.stopPort(0xf4, 1, 0x42)),
                new Stopped(StopCause.fault(StopCause.Kind.EMULATOR_FAULT, -1, "worker died:\nlast words")),
                new Stopped(StopCause.hlt(), new InstructionTrace(List.of(0x1000L, -1L, 0xffff_ffff_ffffL), 1L << 40)));
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
    void rejectsAnUnknownTagAndACorruptLength() {
        assertThatThrownBy(() -> decode(new byte[] {99})).isInstanceOf(IOException.class).hasMessageContaining("tag 99");
        assertThatThrownBy(() -> decode(new byte[] {24, -1, -1, -1, -1})).isInstanceOf(IOException.class)
                .hasMessageContaining("byte count -1");
    }

    @Test
    void takesAByteCountBeyondTheLargestTransferForACorruptStream() throws IOException {
        assertThat(decode(encode(new MemoryContent(new byte[MessageCodec.MAX_BYTES]))))
                .isInstanceOf(MemoryContent.class);
        byte[] claim = ByteBuffer.allocate(5).put((byte) 24).putInt(MessageCodec.MAX_BYTES + 1).array();

        assertThatThrownBy(() -> decode(claim)).isInstanceOf(IOException.class)
                .hasMessage("corrupt protocol stream: byte count " + (MessageCodec.MAX_BYTES + 1));
    }

    @Test
    void rejectsATraceLongerThanItsInstructionCount() throws IOException {
        byte[] whole = encode(new Stopped(StopCause.hlt(), new InstructionTrace(List.of(0x1000L, 0x1001L), 2)));
        // The instruction count is the long before the address count, eight bytes from the end of the addresses.
        whole[whole.length - 2 * Long.BYTES - Integer.BYTES - 1] = 1;

        assertThatThrownBy(() -> decode(whole)).isInstanceOf(IOException.class)
                .hasMessage("corrupt protocol stream: a trace of 2 addresses from 1 instructions");
    }

    @Test
    void failsWithEofOnATruncatedMessage() throws IOException {
        byte[] whole = encode(new PortOut(0x3f8, 1, 'x'));
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
