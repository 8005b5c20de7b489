package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.TraceRecorder;
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
import io.github.junitkvm.emulator.protocol.Message.Reset;
import io.github.junitkvm.emulator.protocol.Message.RegistersContent;
import io.github.junitkvm.emulator.protocol.Message.Run;
import io.github.junitkvm.emulator.protocol.Message.SetRegisters;
import io.github.junitkvm.emulator.protocol.Message.SetSpecialRegisters;
import io.github.junitkvm.emulator.protocol.Message.SpecialRegistersContent;
import io.github.junitkvm.emulator.protocol.Message.Stop;
import io.github.junitkvm.emulator.protocol.Message.Stopped;
import io.github.junitkvm.emulator.protocol.Message.Unavailable;
import io.github.junitkvm.emulator.protocol.Message.WriteMemory;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Encodes and decodes {@link Message}s: a one-byte tag, then the fields in big-endian
 * {@link DataOutput} form. Both ends run the same classes, so enums travel as ordinals. The codec
 * does not flush: the caller decides when bytes must reach the other side.
 */
public final class MessageCodec {
    private static final byte CREATE = 1;
    private static final byte DESTROY = 2;
    private static final byte READ_MEMORY = 3;
    private static final byte WRITE_MEMORY = 4;
    private static final byte GET_REGISTERS = 5;
    private static final byte SET_REGISTERS = 6;
    private static final byte GET_SPECIAL_REGISTERS = 7;
    private static final byte SET_SPECIAL_REGISTERS = 8;
    private static final byte RUN = 9;
    private static final byte ANSWER = 10;
    private static final byte STOP = 11;
    private static final byte RESET = 12;
    private static final byte READY = 20;
    private static final byte UNAVAILABLE = 21;
    private static final byte DONE = 22;
    private static final byte FAILED = 23;
    private static final byte MEMORY_CONTENT = 24;
    private static final byte REGISTERS_CONTENT = 25;
    private static final byte SPECIAL_REGISTERS_CONTENT = 26;
    private static final byte PORT_OUT = 27;
    private static final byte PORT_IN = 28;
    private static final byte MMIO_WRITE = 29;
    private static final byte MMIO_READ = 30;
    private static final byte STOPPED = 31;

    /**
     * The most bytes one message carries: memory travels in pieces of at most this many, so that
     * the worker's small heap never holds a whole RAM image. A longer byte count read from the
     * stream is taken for a corrupt stream, not allocated.
     */
    public static final int MAX_BYTES = 1 << 20;

    private MessageCodec() {
    }

    /**
     * @param out where to write
     * @param message the message
     * @throws IOException if writing fails
     */
    public static void write(DataOutput out, Message message) throws IOException {
        if (message instanceof Create m) {
            out.writeByte(CREATE);
            out.writeByte(m.config().mode().ordinal());
            out.writeInt(m.config().traceLength());
            out.writeInt(m.config().ram().size());
            for (RamRegion region : m.config().ram()) {
                out.writeLong(region.guestAddress());
                out.writeLong(region.size());
                out.writeBoolean(region.readOnly());
            }
        } else if (message instanceof Destroy) {
            out.writeByte(DESTROY);
        } else if (message instanceof Reset) {
            out.writeByte(RESET);
        } else if (message instanceof ReadMemory m) {
            out.writeByte(READ_MEMORY);
            out.writeLong(m.address());
            out.writeInt(m.length());
        } else if (message instanceof WriteMemory m) {
            out.writeByte(WRITE_MEMORY);
            out.writeLong(m.address());
            writeBytes(out, m.data());
        } else if (message instanceof GetRegisters) {
            out.writeByte(GET_REGISTERS);
        } else if (message instanceof SetRegisters m) {
            out.writeByte(SET_REGISTERS);
            writeRegisters(out, m.registers());
        } else if (message instanceof GetSpecialRegisters) {
            out.writeByte(GET_SPECIAL_REGISTERS);
        } else if (message instanceof SetSpecialRegisters m) {
            out.writeByte(SET_SPECIAL_REGISTERS);
            writeSpecialRegisters(out, m.registers());
        } else if (message instanceof Run m) {
            out.writeByte(RUN);
            out.writeInt(m.runId());
            out.writeInt(m.stopPorts().size());
            for (int port : m.stopPorts()) {
                out.writeInt(port);
            }
        } else if (message instanceof Answer m) {
            out.writeByte(ANSWER);
            out.writeLong(m.value());
        } else if (message instanceof Stop m) {
            out.writeByte(STOP);
            out.writeInt(m.runId());
        } else if (message instanceof Ready m) {
            out.writeByte(READY);
            writeString(out, m.unicornVersion());
        } else if (message instanceof Unavailable m) {
            out.writeByte(UNAVAILABLE);
            writeString(out, m.reason());
        } else if (message instanceof Done) {
            out.writeByte(DONE);
        } else if (message instanceof Failed m) {
            out.writeByte(FAILED);
            writeString(out, m.message());
        } else if (message instanceof MemoryContent m) {
            out.writeByte(MEMORY_CONTENT);
            writeBytes(out, m.data());
        } else if (message instanceof RegistersContent m) {
            out.writeByte(REGISTERS_CONTENT);
            writeRegisters(out, m.registers());
        } else if (message instanceof SpecialRegistersContent m) {
            out.writeByte(SPECIAL_REGISTERS_CONTENT);
            writeSpecialRegisters(out, m.registers());
        } else if (message instanceof PortOut m) {
            out.writeByte(PORT_OUT);
            out.writeInt(m.port());
            out.writeByte(m.size());
            out.writeLong(m.value());
        } else if (message instanceof PortIn m) {
            out.writeByte(PORT_IN);
            out.writeInt(m.port());
            out.writeByte(m.size());
        } else if (message instanceof MmioWrite m) {
            out.writeByte(MMIO_WRITE);
            out.writeLong(m.address());
            out.writeByte(m.size());
            out.writeLong(m.value());
        } else if (message instanceof MmioRead m) {
            out.writeByte(MMIO_READ);
            out.writeLong(m.address());
            out.writeByte(m.size());
        } else if (message instanceof Stopped m) {
            out.writeByte(STOPPED);
            StopCause cause = m.cause();
            out.writeByte(cause.kind().ordinal());
            out.writeInt(cause.port());
            out.writeInt(cause.size());
            out.writeLong(cause.value());
            writeString(out, cause.detail());
            writeTrace(out, m.trace());
        } else {
            throw new IllegalArgumentException("no encoding for " + message);
        }
    }

    /**
     * @param in where to read
     * @return the next message
     * @throws java.io.EOFException if the stream ends before a whole message
     * @throws IOException if reading fails or the bytes are not a message
     */
    public static Message read(DataInput in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case CREATE: {
                CpuMode mode = CpuMode.values()[in.readUnsignedByte()];
                int traceLength = in.readInt();
                int count = in.readInt();
                List<RamRegion> ram = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ram.add(new RamRegion(in.readLong(), in.readLong(), in.readBoolean()));
                }
                return new Create(new MachineConfig(ram, mode, traceLength));
            }
            case DESTROY:
                return new Destroy();
            case RESET:
                return new Reset();
            case READ_MEMORY:
                return new ReadMemory(in.readLong(), in.readInt());
            case WRITE_MEMORY:
                return new WriteMemory(in.readLong(), readBytes(in));
            case GET_REGISTERS:
                return new GetRegisters();
            case SET_REGISTERS:
                return new SetRegisters(readRegisters(in));
            case GET_SPECIAL_REGISTERS:
                return new GetSpecialRegisters();
            case SET_SPECIAL_REGISTERS:
                return new SetSpecialRegisters(readSpecialRegisters(in));
            case RUN: {
                int runId = in.readInt();
                int count = in.readInt();
                Set<Integer> ports = new HashSet<>();
                for (int i = 0; i < count; i++) {
                    ports.add(in.readInt());
                }
                return new Run(runId, ports);
            }
            case ANSWER:
                return new Answer(in.readLong());
            case STOP:
                return new Stop(in.readInt());
            case READY:
                return new Ready(readString(in));
            case UNAVAILABLE:
                return new Unavailable(readString(in));
            case DONE:
                return new Done();
            case FAILED:
                return new Failed(readString(in));
            case MEMORY_CONTENT:
                return new MemoryContent(readBytes(in));
            case REGISTERS_CONTENT:
                return new RegistersContent(readRegisters(in));
            case SPECIAL_REGISTERS_CONTENT:
                return new SpecialRegistersContent(readSpecialRegisters(in));
            case PORT_OUT:
                return new PortOut(in.readInt(), in.readUnsignedByte(), in.readLong());
            case PORT_IN:
                return new PortIn(in.readInt(), in.readUnsignedByte());
            case MMIO_WRITE:
                return new MmioWrite(in.readLong(), in.readUnsignedByte(), in.readLong());
            case MMIO_READ:
                return new MmioRead(in.readLong(), in.readUnsignedByte());
            case STOPPED: {
                StopCause.Kind kind = StopCause.Kind.values()[in.readUnsignedByte()];
                StopCause cause = new StopCause(kind, in.readInt(), in.readInt(), in.readLong(), readString(in));
                return new Stopped(cause, readTrace(in));
            }
            default:
                throw new IOException("corrupt protocol stream: unknown message tag " + tag);
        }
    }

    private static void writeTrace(DataOutput out, InstructionTrace trace) throws IOException {
        out.writeLong(trace.executed());
        out.writeInt(trace.addresses().size());
        for (long address : trace.addresses()) {
            out.writeLong(address);
        }
    }

    private static InstructionTrace readTrace(DataInput in) throws IOException {
        long executed = in.readLong();
        int count = in.readInt();
        if (count < 0 || count > TraceRecorder.MAX_CAPACITY || count > executed) {
            throw new IOException("corrupt protocol stream: a trace of " + count + " addresses from " + executed
                    + " instructions");
        }
        List<Long> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            addresses.add(in.readLong());
        }
        return new InstructionTrace(addresses, executed);
    }

    private static void writeRegisters(DataOutput out, GeneralRegisters registers) throws IOException {
        for (long value : registers.toArray()) {
            out.writeLong(value);
        }
    }

    private static GeneralRegisters readRegisters(DataInput in) throws IOException {
        long[] values = new long[GeneralRegisters.initial().toArray().length];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readLong();
        }
        return GeneralRegisters.fromArray(values);
    }

    private static void writeSpecialRegisters(DataOutput out, SpecialRegisters registers) throws IOException {
        for (Segment segment : List.of(registers.cs(), registers.ds(), registers.es(), registers.fs(),
                registers.gs(), registers.ss(), registers.tr(), registers.ldt())) {
            writeSegment(out, segment);
        }
        for (DescriptorTable table : List.of(registers.gdt(), registers.idt())) {
            out.writeLong(table.base());
            out.writeInt(table.limit());
        }
        for (long value : new long[] {registers.cr0(), registers.cr2(), registers.cr3(), registers.cr4(),
                registers.cr8(), registers.efer(), registers.apicBase()}) {
            out.writeLong(value);
        }
    }

    private static SpecialRegisters readSpecialRegisters(DataInput in) throws IOException {
        Segment[] segments = new Segment[8];
        for (int i = 0; i < segments.length; i++) {
            segments[i] = readSegment(in);
        }
        DescriptorTable gdt = new DescriptorTable(in.readLong(), in.readInt());
        DescriptorTable idt = new DescriptorTable(in.readLong(), in.readInt());
        return new SpecialRegisters(segments[0], segments[1], segments[2], segments[3], segments[4],
                segments[5], segments[6], segments[7], gdt, idt, in.readLong(), in.readLong(),
                in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
    }

    private static void writeSegment(DataOutput out, Segment segment) throws IOException {
        out.writeInt(segment.selector());
        out.writeLong(segment.base());
        out.writeInt(segment.limit());
        out.writeInt(segment.type());
        out.writeInt(segment.dpl());
        int flags = (segment.present() ? 1 : 0) | (segment.db() ? 2 : 0) | (segment.s() ? 4 : 0)
                | (segment.l() ? 8 : 0) | (segment.g() ? 16 : 0) | (segment.avl() ? 32 : 0)
                | (segment.unusable() ? 64 : 0);
        out.writeByte(flags);
    }

    private static Segment readSegment(DataInput in) throws IOException {
        int selector = in.readInt();
        long base = in.readLong();
        int limit = in.readInt();
        int type = in.readInt();
        int dpl = in.readInt();
        int flags = in.readUnsignedByte();
        return new Segment(selector, base, limit, type, (flags & 1) != 0, dpl, (flags & 2) != 0,
                (flags & 4) != 0, (flags & 8) != 0, (flags & 16) != 0, (flags & 32) != 0, (flags & 64) != 0);
    }

    private static void writeBytes(DataOutput out, byte[] data) throws IOException {
        out.writeInt(data.length);
        out.write(data);
    }

    private static byte[] readBytes(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_BYTES) {
            throw new IOException("corrupt protocol stream: byte count " + length);
        }
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    private static void writeString(DataOutput out, String text) throws IOException {
        writeBytes(out, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInput in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }
}
