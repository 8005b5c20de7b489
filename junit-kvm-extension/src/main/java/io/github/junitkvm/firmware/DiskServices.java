package io.github.junitkvm.firmware;

import io.github.junitkvm.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code INT 13h}: the disks, by CHS ({@code AH} 00h to 08h, 15h) and by LBA, the enhanced disk
 * drive extensions ({@code AH} 41h, 42h, 43h, 48h). Every parameter the guest gives is checked
 * before anything is read, written or allocated: a sector outside the geometry or past the end of
 * the disk, a count the BIOS does not allow, a buffer that is not writable RAM end the call with
 * carry set and a status in {@code AH}, as a PC BIOS reports them.
 */
final class DiskServices implements FirmwareService {
    static final int INVALID = 0x01;
    static final int SECTOR_NOT_FOUND = 0x04;
    /** CHS reads and writes move at most 255 sectors (AL), the extensions at most 127 per call. */
    static final int MAX_EXTENDED_COUNT = 127;
    private static final int EXTENSIONS_VERSION = 0x30;
    /** Extended disk access (42h, 43h, 44h, 47h, 48h) and EDD support (48h). */
    private static final int EXTENSIONS_SUPPORTED = 0x0001 | 0x0004;

    /** The functions served: the others stop the run, whatever the drive. */
    private static final Set<Integer> SERVED = Set.of(0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x15, 0x41, 0x42, 0x43, 0x48);

    private final Map<Integer, Disk> disks = new TreeMap<>();
    private final RamMap ram;
    private final GuestMemory memory;
    private final Map<Integer, Integer> lastStatus = new TreeMap<>();

    DiskServices(RamMap ram, GuestMemory memory) {
        this.ram = ram;
        this.memory = memory;
    }

    Map<Integer, Disk> disks() {
        return disks;
    }

    @Override
    public Outcome serve(InterruptCall call) {
        int function = call.ah();
        if (!SERVED.contains(function)) {
            return call.unserved("BIOS's INT 13h");
        }
        Disk disk = disks.get(call.dl());
        if (disk == null && function != 0x00 && function != 0x15) {
            return status(call, INVALID);
        }
        return switch (function) {
            case 0x00 -> status(call, 0);
            case 0x01 -> {
                call.setAh(lastStatus.getOrDefault(call.dl(), 0));
                call.setCarry(call.ah() != 0);
                yield Outcome.RETURNED;
            }
            case 0x02, 0x03 -> chs(call, disk, function == 0x03);
            case 0x04 -> verify(call, disk);
            case 0x08 -> parameters(call, disk);
            case 0x15 -> diskType(call, disk);
            case 0x41 -> extensionsPresent(call);
            case 0x42, 0x43 -> extended(call, disk, function == 0x43);
            case 0x48 -> extendedParameters(call, disk);
            default -> throw new IllegalStateException("function " + function + " is not in SERVED");
        };
    }

    private Outcome status(InterruptCall call, int status) {
        lastStatus.put(call.dl(), status);
        memory.writeByte(call.dl() >= 0x80 ? BiosDataArea.HARD_DISK_STATUS : BiosDataArea.FLOPPY_STATUS, status);
        if (status == 0) {
            return call.succeeded();
        }
        return call.failed(status);
    }

    /** AH=02h, 03h: AL sectors at cylinder CH (+ CL bits 6-7), head DH, sector CL bits 0-5, buffer ES:BX. */
    private Outcome chs(InterruptCall call, Disk disk, boolean write) {
        int count = call.al();
        int cylinder = call.ch() | (call.cl() & 0xc0) << 2;
        long lba = disk.lba(cylinder, call.dh(), call.cl() & 0x3f);
        if (count == 0) {
            return status(call, INVALID);
        }
        if (lba < 0 || !disk.holds(lba, count)) {
            call.setAl(0);
            return status(call, SECTOR_NOT_FOUND);
        }
        if (!transfer(disk, lba, count, call.esBx(), write)) {
            call.setAl(0);
            return status(call, INVALID);
        }
        Outcome outcome = status(call, 0);
        call.setAl(count);
        return outcome;
    }

    private Outcome verify(InterruptCall call, Disk disk) {
        long lba = disk.lba(call.ch() | (call.cl() & 0xc0) << 2, call.dh(), call.cl() & 0x3f);
        if (call.al() == 0 || lba < 0 || !disk.holds(lba, call.al())) {
            return status(call, SECTOR_NOT_FOUND);
        }
        int count = call.al();
        Outcome outcome = status(call, 0);
        call.setAl(count);
        return outcome;
    }

    /**
     * Moves sectors between the disk and guest memory, if the buffer is writable RAM (reads) or
     * RAM (writes).
     */
    private boolean transfer(Disk disk, long lba, int count, long buffer, boolean write) {
        long length = (long) count * Disk.SECTOR;
        if (write) {
            if (!ram.readable(buffer, length)) {
                return false;
            }
            disk.write(lba, memory.read(buffer, (int) length));
        } else {
            if (!ram.writable(buffer, length)) {
                return false;
            }
            memory.write(buffer, disk.read(lba, count));
        }
        return true;
    }

    /** AH=08h: the geometry's last cylinder, head and sector, and how many drives of this kind there are. */
    private Outcome parameters(InterruptCall call, Disk disk) {
        int lastCylinder = disk.cylinders() - 1;
        boolean floppy = call.dl() < 0x80;
        Outcome outcome = status(call, 0);
        call.setAl(0);
        call.setCx((lastCylinder & 0xff) << 8 | (lastCylinder >>> 2 & 0xc0) | disk.sectorsPerTrack());
        call.setDx((disk.heads() - 1) << 8 | (int) disks.keySet().stream().filter(d -> d < 0x80 == floppy).count());
        if (floppy) {
            call.setBx(call.bx() & 0xff00 | floppyType(disk));
            call.setDi(FirmwareRom.FLOPPY_PARAMETERS_OFFSET);
            call.setEs(FirmwareRom.SEGMENT);
        }
        return outcome;
    }

    /** @return the CMOS drive type of a floppy of this geometry: 1 360K, 2 1.2M, 3 720K, 4 1.44M, 6 2.88M */
    private static int floppyType(Disk disk) {
        return switch (disk.sectorsPerTrack()) {
            case 9 -> disk.cylinders() == 40 ? 1 : 3;
            case 15 -> 2;
            case 36 -> 6;
            default -> 4;
        };
    }

    /** AH=15h: AH=3 and the sector count in CX:DX for a hard disk, AH=1 for a floppy, AH=0 for no drive. */
    private Outcome diskType(InterruptCall call, Disk disk) {
        call.setCarry(false);
        if (disk == null) {
            call.setAh(0);
        } else if (call.dl() >= 0x80) {
            long sectors = disk.sectors();
            call.setAh(3);
            call.setCx((int) (sectors >>> 16));
            call.setDx((int) sectors);
        } else {
            call.setAh(1);
        }
        return Outcome.RETURNED;
    }

    /** AH=41h, BX=55AAh: the extensions, on hard disks. */
    private Outcome extensionsPresent(InterruptCall call) {
        if (call.bx() != 0x55aa || call.dl() < 0x80) {
            return status(call, INVALID);
        }
        Outcome outcome = status(call, 0);
        call.setAh(EXTENSIONS_VERSION);
        call.setBx(0xaa55);
        call.setCx(EXTENSIONS_SUPPORTED);
        return outcome;
    }

    /**
     * AH=42h, 43h: the disk address packet at DS:SI: its size (16, or 24 with a flat 64-bit
     * buffer address used when the segmented one is FFFF:FFFF), the count (which is set to the
     * sectors moved), the buffer, the first sector.
     */
    private Outcome extended(InterruptCall call, Disk disk, boolean write) {
        long packet = call.dsSi();
        if (!ram.writable(packet, 16)) {
            return status(call, INVALID);
        }
        ByteBuffer fields = ByteBuffer.wrap(memory.read(packet, 16)).order(ByteOrder.LITTLE_ENDIAN);
        int size = fields.get(0) & 0xff;
        int count = fields.getShort(2) & 0xffff;
        int offset = fields.getShort(4) & 0xffff;
        int segment = fields.getShort(6) & 0xffff;
        long lba = fields.getLong(8);
        long buffer = ((long) segment << 4) + offset;
        if (segment == 0xffff && offset == 0xffff && size >= 0x18 && ram.readable(packet + 16, 8)) {
            buffer = memory.readLong(packet + 16);
        }
        if (size < 0x10 || count > MAX_EXTENDED_COUNT) {
            memory.writeShort(packet + 2, 0);
            return status(call, INVALID);
        }
        if (!disk.holds(lba, count)) {
            memory.writeShort(packet + 2, 0);
            return status(call, SECTOR_NOT_FOUND);
        }
        if (count > 0 && !transfer(disk, lba, count, buffer, write)) {
            memory.writeShort(packet + 2, 0);
            return status(call, INVALID);
        }
        return status(call, 0);
    }

    /** AH=48h: the drive parameters into the buffer at DS:SI, whose first word says how large it is. */
    private Outcome extendedParameters(InterruptCall call, Disk disk) {
        long buffer = call.dsSi();
        if (!ram.writable(buffer, 2)) {
            return status(call, INVALID);
        }
        int size = memory.readShort(buffer);
        if (size < 0x1a || !ram.writable(buffer, 0x1a)) {
            return status(call, INVALID);
        }
        int written = size >= 0x1e && ram.writable(buffer, 0x1e) ? 0x1e : 0x1a;
        ByteBuffer result = ByteBuffer.allocate(written).order(ByteOrder.LITTLE_ENDIAN);
        result.putShort((short) written)
                .putShort((short) 0x0002)   // the CHS geometry is valid
                .putInt(disk.cylinders()).putInt(disk.heads()).putInt(disk.sectorsPerTrack())
                .putLong(disk.sectors())
                .putShort((short) Disk.SECTOR);
        if (written == 0x1e) {
            result.putInt(-1);              // no EDD configuration parameters: FFFF:FFFF
        }
        memory.write(buffer, result.array());
        return status(call, 0);
    }
}
