package io.github.junitkvm.firmware;

import java.util.Arrays;

/**
 * A disk of the BIOS: its bytes, kept in memory (the guest's writes change them), and the
 * geometry its size gives.
 */
final class Disk {
    static final int SECTOR = 512;
    /** Standard floppy sizes in sectors, and their cylinders, heads and sectors per track. */
    private static final int[][] FLOPPIES = {
        {720, 40, 2, 9}, {1440, 80, 2, 9}, {2400, 80, 2, 15}, {2880, 80, 2, 18}, {5760, 80, 2, 36},
    };
    /** The geometry of every other disk: the largest CHS translation has 16 heads of 63 sectors. */
    static final int HARD_DISK_HEADS = 16;
    static final int HARD_DISK_SECTORS = 63;
    /** The cylinders INT 13h AH=02h can address: ten bits. */
    static final int MAX_CHS_CYLINDERS = 1024;

    private final byte[] bytes;
    private final int cylinders;
    private final int heads;
    private final int sectorsPerTrack;

    /** @param bytes the disk's contents, a positive multiple of {@value #SECTOR} bytes; kept, not copied */
    Disk(byte[] bytes) {
        this.bytes = bytes;
        long sectors = sectors();
        for (int[] floppy : FLOPPIES) {
            if (floppy[0] == sectors) {
                cylinders = floppy[1];
                heads = floppy[2];
                sectorsPerTrack = floppy[3];
                return;
            }
        }
        heads = HARD_DISK_HEADS;
        sectorsPerTrack = HARD_DISK_SECTORS;
        long perCylinder = (long) heads * sectorsPerTrack;
        cylinders = (int) Math.min(MAX_CHS_CYLINDERS, (sectors + perCylinder - 1) / perCylinder);
    }

    long sectors() {
        return bytes.length / SECTOR;
    }

    int cylinders() {
        return cylinders;
    }

    int heads() {
        return heads;
    }

    int sectorsPerTrack() {
        return sectorsPerTrack;
    }

    /**
     * @return the sector {@code CHS} addresses, or -1 when the address is outside the geometry
     *     (sector 0, a head or sector past the last) or past the end of the disk
     */
    long lba(int cylinder, int head, int sector) {
        if (sector < 1 || sector > sectorsPerTrack || head >= heads || cylinder >= cylinders) {
            return -1;
        }
        long lba = ((long) cylinder * heads + head) * sectorsPerTrack + sector - 1;
        return lba < sectors() ? lba : -1;
    }

    /** @return whether sectors {@code [lba, lba + count)} are on the disk */
    boolean holds(long lba, long count) {
        return lba >= 0 && count >= 0 && lba <= sectors() && count <= sectors() - lba;
    }

    /** Reads sectors the caller checked with {@link #holds}. */
    byte[] read(long lba, int count) {
        int from = Math.toIntExact(lba * SECTOR);
        return Arrays.copyOfRange(bytes, from, from + count * SECTOR);
    }

    /** Writes whole sectors the caller checked with {@link #holds}. */
    void write(long lba, byte[] data) {
        System.arraycopy(data, 0, bytes, Math.toIntExact(lba * SECTOR), data.length);
    }

    byte[] contents() {
        return bytes.clone();
    }
}
