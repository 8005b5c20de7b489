package io.github.junitkvm.firmware;

import io.github.junitkvm.Bios;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.backend.RamRegion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The {@link Bios} of a guest with {@code firmware = BIOS}: the services of each vector, served
 * through the firmware ROM's entry points, its disks and keyboard queue, the BIOS data area, and
 * booting.
 */
public final class PcBios implements Bios {
    /** Where a PC BIOS loads the boot sector. */
    static final long BOOT_ADDRESS = 0x7c00;
    private static final int BOOT_SIGNATURE = 0xaa55;
    /** The IBM PC floppy parameter table for 1.44 MiB drives, which INT 1Eh points at. */
    private static final byte[] FLOPPY_PARAMETERS = {
        (byte) 0xaf, 0x02, 0x25, 0x02, 0x12, 0x1b, (byte) 0xff, 0x6c, (byte) 0xf6, 0x0f, 0x08,
    };
    private static final int FLOPPY_PARAMETERS_VECTOR = 0x1e;
    private static final long CONVENTIONAL_LIMIT = 0xa0000;

    private final KvmVm vm;
    private final GuestMemory memory;
    private final DiskServices disks;
    private final KeyboardServices keyboard = new KeyboardServices();

    /**
     * Fills the BIOS data area and serves the BIOS's vectors.
     *
     * @param vm the VM, whose firmware ROM is installed ({@link FirmwareRom#install})
     * @param traps the firmware's traps, which serve the vectors
     * @param ram the guest's RAM regions, sorted by address
     * @param screen receives what the guest prints
     */
    public PcBios(KvmVm vm, InterruptTraps traps, List<RamRegion> ram, IntConsumer screen) {
        this.vm = vm;
        this.memory = vm.memory();
        RamMap map = new RamMap(ram);
        this.disks = new DiskServices(map, memory);
        int conventionalKib = (int) (Math.min(map.writableFrom(0), CONVENTIONAL_LIMIT) / 1024);
        BiosDataArea.initialise(memory, conventionalKib);
        memory.write(FirmwareRom.BASE + FirmwareRom.FLOPPY_PARAMETERS_OFFSET, FLOPPY_PARAMETERS);
        memory.writeShort(4L * FLOPPY_PARAMETERS_VECTOR, FirmwareRom.FLOPPY_PARAMETERS_OFFSET);
        traps.serve(0x10, new VideoServices(memory, map, screen));
        traps.serve(0x11, call -> {
            call.setAx(memory.readShort(BiosDataArea.EQUIPMENT));
            return Outcome.RETURNED;
        });
        traps.serve(0x12, call -> {
            call.setAx(memory.readShort(BiosDataArea.MEMORY_KIB));
            return Outcome.RETURNED;
        });
        traps.serve(0x13, disks);
        traps.serve(0x15, new SystemServices(map, memory));
        traps.serve(0x16, keyboard);
        traps.serve(0x18, call -> Outcome.pending(
                "int 0x18: the guest gave up booting (INT 18h: no bootable disk, or its boot loader failed)"));
        traps.serve(0x19, call -> Outcome.pending("int 0x19: the guest asked the BIOS to boot again (INT 19h)"));
        traps.serve(0x1a, new ClockServices(memory));
    }

    @Override
    public Bios attachDisk(int drive, byte[] image) {
        Objects.requireNonNull(image, "image");
        checkSize(image.length, String.format("the image of drive 0x%02x", drive));
        attach(drive, image.clone());
        return this;
    }

    @Override
    public Bios attachDisk(int drive, String resource) {
        Objects.requireNonNull(resource, "resource");
        String what = "disk image resource \"" + resource + "\"";
        byte[] image = readResource(resource, what);
        checkSize(image.length, what);
        attach(drive, image);
        return this;
    }

    private static void checkSize(long length, String what) {
        if (length == 0 || length % Disk.SECTOR != 0) {
            throw new IllegalArgumentException(String.format(
                    "%s has %d bytes, not a positive multiple of the 512-byte sector", what, length));
        }
    }

    /** Reads a resource of at most {@link #MAX_RESOURCE_DISK_BYTES}: one byte more tells it is larger. */
    private static byte[] readResource(String resource, String what) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        URL url = (loader != null ? loader : PcBios.class.getClassLoader()).getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException(what + ": no such classpath resource");
        }
        if (isDirectory(url)) {
            throw new IllegalArgumentException(what + " is a directory, not a disk image");
        }
        try (InputStream in = url.openStream()) {
            byte[] bytes = in.readNBytes(MAX_RESOURCE_DISK_BYTES + 1);
            if (bytes.length > MAX_RESOURCE_DISK_BYTES) {
                throw new IllegalArgumentException(String.format("%s is larger than %d bytes, the most a disk image"
                        + " from a resource may have; attach larger disks as bytes", what, MAX_RESOURCE_DISK_BYTES));
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(what + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static boolean isDirectory(URL url) {
        if (url.getPath().endsWith("/")) {
            return true;
        }
        try {
            return "file".equals(url.getProtocol()) && Files.isDirectory(Path.of(url.toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return false;
        }
    }

    private void attach(int drive, byte[] image) {
        boolean floppy = drive == 0x00 || drive == 0x01;
        if (!floppy && (drive < 0x80 || drive > 0xff)) {
            throw new IllegalArgumentException(String.format(
                    "drive 0x%x is not a BIOS drive number: floppies are 0x00 and 0x01, hard disks 0x80 and on", drive));
        }
        if (disks.disks().containsKey(drive)) {
            throw new IllegalArgumentException(String.format("drive 0x%02x is attached already", drive));
        }
        int first = floppy ? 0x00 : 0x80;
        if (drive != first && !disks.disks().containsKey(drive - 1)) {
            throw new IllegalArgumentException(String.format(
                    "drive 0x%02x cannot come before drive 0x%02x: the BIOS numbers its drives without gaps",
                    drive, drive - 1));
        }
        disks.disks().put(drive, new Disk(image));
        long floppies = disks.disks().keySet().stream().filter(d -> d < 0x80).count();
        BiosDataArea.drives(memory, (int) floppies, (int) (disks.disks().size() - floppies));
    }

    @Override
    public byte[] disk(int drive) {
        return attached(drive).contents();
    }

    private Disk attached(int drive) {
        Disk disk = disks.disks().get(drive);
        if (disk == null) {
            throw new IllegalArgumentException(String.format("no disk is attached as drive 0x%02x (attached: %s)",
                    drive, disks.disks().keySet().stream().map(d -> String.format("0x%02x", d)).toList()));
        }
        return disk;
    }

    @Override
    public Bios typeKeys(String text) {
        int[] keys = text.chars().map(c -> KeyboardServices.keyOf((char) c)).toArray();
        for (int key : keys) {
            keyboard.press(key);
        }
        return this;
    }

    @Override
    public Bios pressKey(int scanCode, int ascii) {
        if (scanCode < 0 || scanCode > 0xff || ascii < 0 || ascii > 0xff) {
            throw new IllegalArgumentException(String.format(
                    "a key is a scan code and a character of one byte each, not 0x%x and 0x%x", scanCode, ascii));
        }
        keyboard.press(scanCode << 8 | ascii);
        return this;
    }

    @Override
    public Bios boot(int drive) {
        byte[] sector = attached(drive).read(0, 1);
        int signature = (sector[510] & 0xff) | (sector[511] & 0xff) << 8;
        if (signature != BOOT_SIGNATURE) {
            throw new IllegalArgumentException(String.format("drive 0x%02x is not bootable: its first sector ends"
                    + " with 0x%02x 0x%02x, not the boot signature 0x55 0xaa", drive, sector[510], sector[511]));
        }
        memory.write(BOOT_ADDRESS, sector);
        SpecialRegisters segments = vm.specialRegisters();
        Segment code = segments.cs().withSelector(0).withBase(0);
        vm.setSpecialRegisters(segments.withCs(code).withDs(zero(segments.ds())).withEs(zero(segments.es()))
                .withSs(zero(segments.ss())));
        GeneralRegisters registers = vm.registers();
        vm.setRegisters(registers.withRip(BOOT_ADDRESS).withRdx(registers.rdx() & ~0xffL | drive));
        return this;
    }

    private static Segment zero(Segment segment) {
        return segment.withSelector(0).withBase(0);
    }
}
