package io.github.junitkvm.emulator.protocol;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.StopCause;
import java.util.Arrays;
import java.util.Set;

/** One message between the test JVM (the parent) and an emulator worker. */
public sealed interface Message {

    // ---- parent to worker ----

    /**
     * Creates the worker's machine. Reply: {@link Done} or {@link Failed}.
     *
     * @param config the RAM, CPU mode and trace length
     */
    record Create(MachineConfig config) implements Message {
    }

    /** Discards the worker's machine, if any. Reply: {@link Done}. */
    record Destroy() implements Message {
    }

    /**
     * Replaces the worker's machine by a new one with the same configuration. Reply: {@link Done}
     * or {@link Failed}.
     */
    record Reset() implements Message {
    }

    /**
     * Reply: {@link MemoryContent} or {@link Failed}.
     *
     * @param address guest physical address
     * @param length byte count
     */
    record ReadMemory(long address, int length) implements Message {
    }

    /**
     * Reply: {@link Done} or {@link Failed}.
     *
     * @param address guest physical address
     * @param data the bytes
     */
    record WriteMemory(long address, byte[] data) implements Message {
        @Override
        public boolean equals(Object other) {
            return other instanceof WriteMemory that && address == that.address && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(address) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "WriteMemory[address=0x" + Long.toHexString(address) + ", length=" + data.length + "]";
        }
    }

    /** Reply: {@link RegistersContent} or {@link Failed}. */
    record GetRegisters() implements Message {
    }

    /**
     * Reply: {@link Done} or {@link Failed}.
     *
     * @param registers the new general registers
     */
    record SetRegisters(GeneralRegisters registers) implements Message {
    }

    /** Reply: {@link SpecialRegistersContent} or {@link Failed}. */
    record GetSpecialRegisters() implements Message {
    }

    /**
     * Reply: {@link Done} or {@link Failed}.
     *
     * @param registers the new system registers
     */
    record SetSpecialRegisters(SpecialRegisters registers) implements Message {
    }

    /**
     * Runs the vCPU. Replies: any number of exits ({@link PortOut}, {@link PortIn}, {@link MmioWrite},
     * {@link MmioRead}), then {@link Stopped} (or {@link Failed} if the run could not start).
     *
     * @param runId identifies the run for {@link Stop}; differs from every earlier run's
     * @param stopPorts ports whose {@code OUT} ends the run
     */
    record Run(int runId, Set<Integer> stopPorts) implements Message {
        /**
         * Copies the port set.
         *
         * @param runId identifies the run
         * @param stopPorts ports whose {@code OUT} ends the run
         */
        public Run {
            stopPorts = Set.copyOf(stopPorts);
        }
    }

    /**
     * The value for the pending {@link PortIn} or {@link MmioRead}. No reply.
     *
     * @param value the value the guest reads
     */
    record Answer(long value) implements Message {
    }

    /**
     * Stops the run with this id if it is still going; ignored otherwise. No reply.
     *
     * @param runId the run to stop
     */
    record Stop(int runId) implements Message {
    }

    // ---- worker to parent ----

    /**
     * The worker's first message: Unicorn loaded.
     *
     * @param unicornVersion the library's version, for example {@code 2.0.1}
     */
    record Ready(String unicornVersion) implements Message {
    }

    /**
     * The worker's first and last message: Unicorn could not be loaded.
     *
     * @param reason the loader's error
     */
    record Unavailable(String reason) implements Message {
    }

    /** The request succeeded and returns nothing. */
    record Done() implements Message {
    }

    /**
     * The request failed; the machine is still usable.
     *
     * @param message what failed and why
     */
    record Failed(String message) implements Message {
    }

    /**
     * Reply to {@link ReadMemory}.
     *
     * @param data the bytes
     */
    record MemoryContent(byte[] data) implements Message {
        @Override
        public boolean equals(Object other) {
            return other instanceof MemoryContent that && Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "MemoryContent[length=" + data.length + "]";
        }
    }

    /**
     * Reply to {@link GetRegisters}.
     *
     * @param registers the general registers
     */
    record RegistersContent(GeneralRegisters registers) implements Message {
    }

    /**
     * Reply to {@link GetSpecialRegisters}.
     *
     * @param registers the system registers
     */
    record SpecialRegistersContent(SpecialRegisters registers) implements Message {
    }

    /**
     * The guest executed {@code OUT}; streamed, no answer.
     *
     * @param port the port
     * @param size 1, 2 or 4
     * @param value the value written
     */
    record PortOut(int port, int size, long value) implements Message {
    }

    /**
     * The guest executed {@code IN}; the worker waits for an {@link Answer}.
     *
     * @param port the port
     * @param size 1, 2 or 4
     */
    record PortIn(int port, int size) implements Message {
    }

    /**
     * The guest wrote outside RAM; streamed, no answer.
     *
     * @param address guest physical address
     * @param size access size in bytes
     * @param value the value written
     */
    record MmioWrite(long address, int size, long value) implements Message {
    }

    /**
     * The guest read outside RAM; the worker waits for an {@link Answer}.
     *
     * @param address guest physical address
     * @param size access size in bytes
     */
    record MmioRead(long address, int size) implements Message {
    }

    /**
     * The run ended.
     *
     * @param cause why
     * @param trace the instructions it executed, empty when the machine does not trace
     */
    record Stopped(StopCause cause, InstructionTrace trace) implements Message {
        /**
         * A run of a machine that does not trace.
         *
         * @param cause why it ended
         */
        public Stopped(StopCause cause) {
            this(cause, InstructionTrace.empty());
        }
    }
}
