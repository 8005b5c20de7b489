package io.github.junitkvm.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * QEMU's firmware configuration interface through its I/O ports, as QEMU's {@code fw_cfg.rst}
 * describes it: a 16-bit write to {@link #SELECTOR_PORT} selects an item and rewinds it, each read of
 * {@link #DATA_PORT} returns its next bytes (zeros past its end, and for an item QEMU would not
 * have). The DMA interface is not offered: the ID item says so, and guests then use the ports.
 */
final class FwCfg {
    static final int SELECTOR_PORT = 0x510;
    static final int DATA_PORT = 0x511;
    static final int SIGNATURE = 0x00;
    static final int ID = 0x01;
    static final int RAM_SIZE = 0x03;
    static final int NB_CPUS = 0x05;
    static final int MAX_CPUS = 0x0f;
    static final int FILE_DIR = 0x19;
    static final int FIRST_FILE = 0x20;
    /** QEMU's default number of file slots ({@code x-file-slots}) since QEMU 2.9's machines. */
    static final int MAX_FILES = 0x400;
    /** A directory entry's name field: the name, NUL-padded, always NUL-terminated. */
    static final int NAME_SIZE = 56;
    /** The ID's bit 0: the traditional port interface; bit 1, DMA, stays clear. */
    private static final int TRADITIONAL_INTERFACE = 1;
    private static final byte[] NONE = new byte[0];

    private final Map<Integer, byte[]> items = new HashMap<>();
    private byte[] selected = NONE;
    private int offset;

    /**
     * @param ramSize the bytes of RAM, for {@link #RAM_SIZE}
     * @param cpus the CPU count, for {@link #NB_CPUS} and {@link #MAX_CPUS}
     * @param files the directory's files, given selectors from {@link #FIRST_FILE} on in this order
     */
    FwCfg(long ramSize, int cpus, List<GuestDevices.File> files) {
        items.put(SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        items.put(ID, little(4).putInt(TRADITIONAL_INTERFACE).array());
        items.put(RAM_SIZE, little(8).putLong(ramSize).array());
        items.put(NB_CPUS, little(2).putShort((short) cpus).array());
        items.put(MAX_CPUS, little(2).putShort((short) cpus).array());
        // The directory is big-endian, unlike the other items.
        ByteBuffer directory = ByteBuffer.allocate(4 + files.size() * (8 + NAME_SIZE)).putInt(files.size());
        List<Integer> byName = IntStream.range(0, files.size()).boxed()
                .sorted(Comparator.comparing(i -> files.get(i).name())).toList();
        for (int i : byName) {
            GuestDevices.File file = files.get(i);
            byte[] name = file.name().getBytes(StandardCharsets.US_ASCII);
            directory.putInt(file.content().length).putShort((short) (FIRST_FILE + i)).putShort((short) 0)
                    .put(name).put(new byte[NAME_SIZE - name.length]);
            items.put(FIRST_FILE + i, file.content());
        }
        items.put(FILE_DIR, directory.array());
    }

    boolean serves(int port) {
        return port == SELECTOR_PORT || port == DATA_PORT;
    }

    /** A read of the data port: the selected item's next {@code size} bytes, the first in the low byte. */
    long read(int port, int size) {
        if (port != DATA_PORT) {
            return Devices.allOnes(size);
        }
        long value = 0;
        for (int i = 0; i < size; i++) {
            long next = offset < selected.length ? selected[offset] & 0xff : 0;
            offset = offset < selected.length ? offset + 1 : offset;
            value |= next << (8 * i);
        }
        return value;
    }

    /** A write of the selector port selects an item; writes to the data port are ignored, as QEMU 2.4 on does. */
    void write(int port, long value) {
        if (port == SELECTOR_PORT) {
            selected = items.getOrDefault((int) (value & 0xffff), NONE);
            offset = 0;
        }
    }

    private static ByteBuffer little(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
