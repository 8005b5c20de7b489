package io.github.junitkvm;

/**
 * The PC BIOS of a guest with {@code @KvmGuest(firmware = Firmware.BIOS)}, from
 * {@link KvmVm#bios()}: its disks, its keyboard, and booting. What the guest prints through
 * {@code INT 10h} is each run's {@link GuestRun#screenOutput()}.
 *
 * <p>Disks are numbered as the BIOS numbers them: floppies {@code 0x00} and {@code 0x01}, hard
 * disks from {@code 0x80} on, attached in order ({@code 0x80} before {@code 0x81}). Their geometry
 * follows from their size: a standard floppy size (360 KiB, 720 KiB, 1.2 MiB, 1.44 MiB, 2.88 MiB)
 * has its floppy geometry, any other image 16 heads and 63 sectors per track. The guest reads and
 * writes a disk through {@code INT 13h}; {@link #disk(int)} reads back what it wrote.
 */
public interface Bios {
    /**
     * Attaches a disk whose contents are a copy of these bytes.
     *
     * @param drive the BIOS drive number: {@code 0x00}, {@code 0x01}, or {@code 0x80} and on
     * @param image the disk's bytes, a positive multiple of 512
     * @return this BIOS
     * @throws IllegalArgumentException if the drive number or the image size is not valid, or the
     *     drive is attached already
     */
    Bios attachDisk(int drive, byte[] image);

    /**
     * Attaches a disk whose contents are read from a classpath resource (of at most
     * {@value #MAX_RESOURCE_DISK_BYTES} bytes; a larger one is refused before it is read whole).
     *
     * @param drive the BIOS drive number
     * @param resource the resource's name, as for {@link KvmGuest#resource()}
     * @return this BIOS
     * @throws IllegalArgumentException if the resource does not exist, is too large, or its size is
     *     not a positive multiple of 512, or as {@link #attachDisk(int, byte[])}
     */
    Bios attachDisk(int drive, String resource);

    /** The largest disk image read from a classpath resource: 64 MiB. */
    int MAX_RESOURCE_DISK_BYTES = 64 << 20;

    /**
     * @param drive an attached drive
     * @return the disk's contents now, with what the guest wrote
     * @throws IllegalArgumentException if no disk is attached as that drive
     */
    byte[] disk(int drive);

    /**
     * Queues keys for {@code INT 16h}: each character of the text as the key that types it on a US
     * keyboard ({@code '\n'} and {@code '\r'} are Enter).
     *
     * @param text ASCII characters
     * @return this BIOS
     * @throws IllegalArgumentException if a character is not ASCII
     */
    Bios typeKeys(String text);

    /**
     * Queues one key for {@code INT 16h}, as the BIOS returns it in {@code AX}.
     *
     * @param scanCode the key's scan code, for {@code AH}
     * @param ascii its character, for {@code AL}; 0 for keys without one (arrows, function keys)
     * @return this BIOS
     */
    Bios pressKey(int scanCode, int ascii);

    /**
     * Boots from a disk as a PC BIOS does: its first sector goes to {@code 0x7c00}, and the guest
     * starts there with {@code CS:IP = 0000:7c00}, {@code DL} = the drive and {@code DS}, {@code ES}
     * and {@code SS} zero. Call it before running the VM.
     *
     * @param drive an attached drive
     * @return this BIOS
     * @throws IllegalArgumentException if no disk is attached as that drive, or its first sector
     *     does not end with the boot signature {@code 55 AA}
     */
    Bios boot(int drive);
}
