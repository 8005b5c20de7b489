package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.CpuidEntry;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.StopCause;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The one encoding of every value the protocol carries, derived from the records' own components:
 * a record is its components in order, each as its declared type says; where the type is not
 * fixed (a sealed interface, {@code Object}), a one-byte tag says what follows. Both ends run the
 * same classes, so records travel as their index among {@link #RECORDS} and enums as ordinals.
 * Numbers are big-endian {@link DataOutput} form.
 *
 * <p>Nothing is allocated in proportion to what the stream merely claims: byte arrays and strings
 * are at most {@link MessageCodec#MAX_BYTES} long, and collections grow as their elements arrive.
 */
final class Wire {
    /** The records that may travel: every message and call, and the values they carry. */
    private static final List<Class<?>> RECORDS = Stream.of(
                    Stream.of(Message.class.getPermittedSubclasses()),
                    Stream.of(MachineCall.class.getPermittedSubclasses()),
                    Stream.of(ExitCall.class.getPermittedSubclasses()),
                    Stream.of(GeneralRegisters.class, SpecialRegisters.class, Segment.class, DescriptorTable.class,
                            MachineConfig.class, RamRegion.class, ExitInterest.class, CpuidEntry.class, StopCause.class,
                            InstructionTrace.class, MachineState.class))
            .<Class<?>>flatMap(classes -> classes)
            .toList();
    /** No collection the protocol carries is larger: a trace keeps at most 100 000 addresses. */
    private static final int MAX_ELEMENTS = 1 << 20;

    private static final int NULL = 0;
    private static final int LONG = 1;
    private static final int INTEGER = 2;
    private static final int BOOLEAN = 3;
    private static final int STRING = 4;
    private static final int BYTES = 5;
    private static final int SET = 6;
    private static final int LIST = 7;
    private static final int FIRST_RECORD = 16;

    private static final Map<Class<?>, Shape> SHAPES = new HashMap<>();

    static {
        for (Class<?> type : RECORDS) {
            SHAPES.put(type, Shape.of(type));
        }
    }

    private Wire() {
    }

    /**
     * @param out the stream
     * @param value null, a boxed number or boolean, a string, a byte array, a set or list of such
     *     values, or one of the {@link #RECORDS}
     * @throws IOException if the stream fails
     * @throws IllegalArgumentException if the value cannot travel
     */
    static void writeAny(DataOutput out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof Long number) {
            out.writeByte(LONG);
            out.writeLong(number);
        } else if (value instanceof Integer number) {
            out.writeByte(INTEGER);
            out.writeInt(number);
        } else if (value instanceof Boolean flag) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(flag);
        } else if (value instanceof String text) {
            out.writeByte(STRING);
            writeBytes(out, text.getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof byte[] bytes) {
            out.writeByte(BYTES);
            writeBytes(out, bytes);
        } else if (value instanceof Collection<?> elements) {
            out.writeByte(value instanceof Set ? SET : LIST);
            out.writeInt(elements.size());
            for (Object element : elements) {
                writeAny(out, element);
            }
        } else {
            int index = RECORDS.indexOf(value.getClass());
            if (index < 0) {
                throw new IllegalArgumentException("the emulator protocol cannot carry a " + value.getClass().getName());
            }
            out.writeByte(FIRST_RECORD + index);
            SHAPES.get(value.getClass()).write(out, value);
        }
    }

    /**
     * @param in the stream
     * @return the next value, as {@link #writeAny} wrote it
     * @throws IOException if the stream fails, ends, or is corrupt
     */
    static Object readAny(DataInput in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case NULL:
                return null;
            case LONG:
                return in.readLong();
            case INTEGER:
                return in.readInt();
            case BOOLEAN:
                return in.readBoolean();
            case STRING:
                return new String(readBytes(in), StandardCharsets.UTF_8);
            case BYTES:
                return readBytes(in);
            case SET:
            case LIST: {
                int count = readCount(in);
                Collection<Object> elements = tag == SET ? new HashSet<>() : new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    elements.add(readAny(in));
                }
                return elements;
            }
            default:
                int index = tag - FIRST_RECORD;
                if (index < 0 || index >= RECORDS.size()) {
                    throw new IOException("corrupt protocol stream: unknown tag " + tag);
                }
                return SHAPES.get(RECORDS.get(index)).read(in);
        }
    }

    private static void write(DataOutput out, Type type, Object value) throws IOException {
        Class<?> raw = rawClass(type);
        if (raw == int.class) {
            out.writeInt((Integer) value);
        } else if (raw == long.class) {
            out.writeLong((Long) value);
        } else if (raw == boolean.class) {
            out.writeBoolean((Boolean) value);
        } else if (raw == String.class) {
            writeBytes(out, ((String) value).getBytes(StandardCharsets.UTF_8));
        } else if (raw == byte[].class) {
            writeBytes(out, (byte[]) value);
        } else if (raw.isEnum()) {
            out.writeByte(((Enum<?>) value).ordinal());
        } else if (raw == List.class || raw == Set.class) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            Collection<?> elements = (Collection<?>) value;
            out.writeInt(elements.size());
            for (Object each : elements) {
                write(out, element, each);
            }
        } else if (SHAPES.containsKey(raw)) {
            SHAPES.get(raw).write(out, value);
        } else {
            writeAny(out, value);
        }
    }

    private static Object read(DataInput in, Type type) throws IOException {
        Class<?> raw = rawClass(type);
        if (raw == int.class) {
            return in.readInt();
        } else if (raw == long.class) {
            return in.readLong();
        } else if (raw == boolean.class) {
            return in.readBoolean();
        } else if (raw == String.class) {
            return new String(readBytes(in), StandardCharsets.UTF_8);
        } else if (raw == byte[].class) {
            return readBytes(in);
        } else if (raw.isEnum()) {
            Object[] constants = raw.getEnumConstants();
            int ordinal = in.readUnsignedByte();
            if (ordinal >= constants.length) {
                throw new IOException("corrupt protocol stream: " + raw.getSimpleName() + " #" + ordinal);
            }
            return constants[ordinal];
        } else if (raw == List.class || raw == Set.class) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            int count = readCount(in);
            Collection<Object> elements = raw == Set.class ? new HashSet<>() : new ArrayList<>();
            for (int i = 0; i < count; i++) {
                elements.add(read(in, element));
            }
            return elements;
        } else if (SHAPES.containsKey(raw)) {
            return SHAPES.get(raw).read(in);
        }
        return readAny(in);
    }

    private static Class<?> rawClass(Type type) {
        return type instanceof ParameterizedType parameterized ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
    }

    private static int readCount(DataInput in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > MAX_ELEMENTS) {
            throw new IOException("corrupt protocol stream: " + count + " elements");
        }
        return count;
    }

    private static void writeBytes(DataOutput out, byte[] data) throws IOException {
        out.writeInt(data.length);
        out.write(data);
    }

    private static byte[] readBytes(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MessageCodec.MAX_BYTES) {
            throw new IOException("corrupt protocol stream: byte count " + length);
        }
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    /**
     * How one record class travels: its components' types, accessors and canonical constructor, the
     * handles typed on {@code Object} so that each call is an exact invocation, not a reflective one.
     */
    private record Shape(Class<?> type, Type[] componentTypes, MethodHandle[] accessors, MethodHandle constructor) {
        static Shape of(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Type[] types = new Type[components.length];
            Class<?>[] raw = new Class<?>[components.length];
            MethodHandle[] accessors = new MethodHandle[components.length];
            // This module's own lookup: a public lookup reaches only exported packages, which the
            // records are not when the extension runs as a named module.
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodType getter = MethodType.methodType(Object.class, Object.class);
            try {
                for (int i = 0; i < components.length; i++) {
                    types[i] = components[i].getGenericType();
                    raw[i] = components[i].getType();
                    accessors[i] = lookup.unreflect(components[i].getAccessor()).asType(getter);
                }
                MethodHandle constructor = lookup.findConstructor(type, MethodType.methodType(void.class, raw))
                        .asType(MethodType.genericMethodType(components.length))
                        .asSpreader(Object[].class, components.length);
                return new Shape(type, types, accessors, constructor);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        void write(DataOutput out, Object value) throws IOException {
            for (int i = 0; i < accessors.length; i++) {
                Wire.write(out, componentTypes[i], invoke(accessors[i], value));
            }
        }

        Object read(DataInput in) throws IOException {
            Object[] values = new Object[componentTypes.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = Wire.read(in, componentTypes[i]);
            }
            try {
                return (Object) constructor.invokeExact(values);
            } catch (RuntimeException e) {
                // The record refused its values: the stream cannot be what the other end wrote.
                throw new IOException("corrupt protocol stream: " + type.getSimpleName() + " refused its fields: "
                        + e.getMessage(), e);
            } catch (Throwable e) {
                throw new IOException("cannot make a " + type.getSimpleName() + ": " + e, e);
            }
        }

        private static Object invoke(MethodHandle accessor, Object value) {
            try {
                return (Object) accessor.invokeExact(value);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
