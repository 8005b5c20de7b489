package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.Firmware;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.VmExit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The PC BIOS ({@code firmware = BIOS}): each service as a guest calls it, the disks it reads and
 * writes, hostile disk parameters, an empty key queue and unserved services that stop the run,
 * a guest hook chaining to the BIOS, and booting. Each test runs on the backend
 * {@code junitkvm.backend} selects, with the same result on each.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class BiosTest {
    /** A 1 MiB hard disk: 2048 sectors, 16 heads of 63 sectors, 3 cylinders (the last one partial). */
    private static final int DISK_SECTORS = 2048;

    /** @return a disk whose every sector is filled with its own number (low byte) */
    private static byte[] numberedDisk(int sectors) {
        byte[] disk = new byte[sectors * 512];
        for (int sector = 0; sector < sectors; sector++) {
            Arrays.fill(disk, sector * 512, sector * 512 + 512, (byte) sector);
        }
        return disk;
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, asm = """
                    mov $msg, %si
            next:   lodsb
                    test %al, %al
                    jz done
                    mov $0x0e, %ah
                    int $0x10
                    jmp next
            done:   mov $0x03, %ah
                    xor %bh, %bh
                    int $0x10           # the cursor: DH row, DL column
                    int $0x12           # conventional memory in KiB
                    hlt
            msg:    .asciz "Hi\\r\\nthere"
            """)
    void teletypeOutputIsTheRunsScreenOutputAndMovesTheCursor(GuestRun run) {
        assertThat(run).haltedNormally().registers().hasRdx(0x0105).hasRax(640);
        assertThat(run.screenOutput()).isEqualTo("Hi\r\nthere");
        assertThat(run.memory().readShort(0x450)).as("the cursor in the BIOS data area").isEqualTo(0x0105);
        assertThat(run.exits()).contains(VmExit.interrupt(0x10), VmExit.interrupt(0x12));
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, asm = """
                    mov $0x0202, %ax    # read 2 sectors
                    mov $0x0003, %cx    # cylinder 0, sector 3
                    mov $0x0180, %dx    # head 1, drive 0x80: LBA 63 + 2 = 65
                    mov $0x8000, %bx
                    int $0x13
                    jc failed
                    mov %ax, %si        # sectors read
                    movb $0xee, 0x8000
                    mov $0x0301, %ax    # write the changed first one back
                    int $0x13
                    jc failed
                    mov $0x0800, %ax
                    int $0x13           # parameters
                    jc failed
                    hlt
            failed: mov $0xbad, %di
                    hlt
            """)
    void chsReadsWritesAndDriveParametersWorkOnAHardDisk(KvmVm vm) {
        vm.bios().attachDisk(0x80, numberedDisk(DISK_SECTORS));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRdi(0).hasRsi(2)
                .hasRcx(0x0200 | 63)         // last cylinder 2, 63 sectors per track
                .hasRdx(0x0f01);             // last head 15, one hard disk
        assertThat(run.memory().read(0x8001, 1)).containsExactly(65);
        assertThat(run.memory().read(0x8200, 1)).containsExactly(66);
        byte[] disk = vm.bios().disk(0x80);
        assertThat(disk[65 * 512]).isEqualTo((byte) 0xee);
        assertThat(disk[65 * 512 + 1]).isEqualTo((byte) 65);
        assertThat(disk[66 * 512]).as("only one sector written").isEqualTo((byte) 66);
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, asm = """
                    mov $0x41, %ah
                    mov $0x55aa, %bx
                    mov $0x80, %dl
                    int $0x13
                    jc failed
                    mov %bx, %bp
                    mov %cx, %di
                    mov %ax, 0x6000
                    mov $0x42, %ah      # read LBA 1000, 3 sectors, to 0x9000
                    mov $dap, %si
                    int $0x13
                    jc failed
                    movb $0x77, 0x9000
                    movw $1, dap + 2
                    movl $1500, dap + 8
                    mov $0x4300, %ax    # write it to LBA 1500
                    int $0x13
                    jc failed
                    movw $0x1e, 0x7000
                    mov $0x48, %ah
                    mov $0x7000, %si
                    int $0x13
                    jc failed
                    hlt
            failed: mov $0xbad, %dx
                    hlt
            dap:    .byte 0x10, 0
                    .word 3
                    .word 0x9000, 0
                    .quad 1000
            """)
    void theExtensionsReadWriteAndDescribeTheDisk(KvmVm vm) {
        vm.bios().attachDisk(0x80, numberedDisk(DISK_SECTORS));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRbp(0xaa55).hasRdi(0x0005);
        assertThat(run.memory().readShort(0x6000) >>> 8).as("extensions version").isEqualTo(0x30);
        assertThat(run.memory().read(0x9001, 1)).containsExactly(1000 & 0xff);
        assertThat(run.memory().read(0x9400, 1)).containsExactly(1002 & 0xff);
        assertThat(vm.bios().disk(0x80)[1500 * 512]).isEqualTo((byte) 0x77);
        ByteBuffer parameters = ByteBuffer.wrap(run.memory().read(0x7000, 0x1e)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(parameters.getShort(0)).isEqualTo((short) 0x1e);
        assertThat(parameters.getInt(4)).as("cylinders").isEqualTo(3);
        assertThat(parameters.getInt(8)).as("heads").isEqualTo(16);
        assertThat(parameters.getInt(12)).as("sectors per track").isEqualTo(63);
        assertThat(parameters.getLong(16)).as("sectors").isEqualTo(DISK_SECTORS);
        assertThat(parameters.getShort(24)).as("bytes per sector").isEqualTo((short) 512);
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, asm = """
                    mov $0x8000, %bx
                    mov $0x80, %dl
                    mov $0x0201, %ax    # sector 0: not a sector
                    mov $0x0000, %cx
                    xor %dh, %dh
                    int $0x13
                    call status         # -> 0x6000
                    mov $0x02ff, %ax    # 255 sectors from cylinder 2, head 15, sector 63: past the end
                    mov $0x023f, %cx
                    mov $0x0f, %dh
                    int $0x13
                    call status
                    mov $0x0201, %ax    # head 16 of a 16-head disk
                    mov $0x0001, %cx
                    mov $0x10, %dh
                    int $0x13
                    call status
                    mov $0x42, %ah      # 200 sectors at once: more than the extensions move
                    mov $dap, %si
                    int $0x13
                    call status
                    movw $1, dap + 2    # one sector at LBA 2^63: past the end
                    movl $0x80000000, dap + 12
                    mov $0x42, %ah
                    int $0x13
                    call status
                    movl $0, dap + 12   # into 0xa9000, where there is no RAM
                    movw $1, dap + 2    # (the failed call set the count to the 0 sectors it moved)
                    movw $0xa000, dap + 6
                    mov $0x42, %ah
                    int $0x13
                    call status
                    mov $0x0201, %ax    # a drive that is not attached
                    mov $0x0001, %cx
                    mov $0x0081, %dx
                    int $0x13
                    call status
                    hlt
            status: setc %al            # CF and AH of each call, in a row from 0x6000
                    mov %di, %bp
                    mov %ax, 0x6000(%bp)
                    add $2, %di
                    ret
            dap:    .byte 0x10, 0
                    .word 200
                    .word 0x9000, 0
                    .quad 0
            """)
    void hostileDiskParametersFailWithCarryAndAStatus(KvmVm vm) {
        vm.bios().attachDisk(0x80, numberedDisk(DISK_SECTORS));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        int[] statuses = new int[7];
        for (int i = 0; i < statuses.length; i++) {
            statuses[i] = run.memory().readShort(0x6000 + 2L * i);
        }
        assertThat(statuses).as("AH << 8 | CF of each call").containsExactly(
                0x0401, 0x0401, 0x0401, 0x0101, 0x0401, 0x0101, 0x0101);
        assertThat(vm.bios().disk(0x80)).isEqualTo(numberedDisk(DISK_SECTORS));
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, asm = """
                    # hook INT 13h as drivemap or MEMDISK do: count calls in BP and chain to the BIOS
                    xor %ax, %ax
                    mov %ax, %es
                    mov %es:0x4c, %ax
                    mov %ax, old
                    mov %es:0x4e, %ax
                    mov %ax, old + 2
                    movw $hook, %es:0x4c
                    movw $0, %es:0x4e
                    mov $0x0201, %ax
                    mov $0x0002, %cx
                    mov $0x0080, %dx
                    mov $0x8000, %bx
                    int $0x13
                    hlt
            hook:   inc %bp
                    pushf
                    lcall *%cs:old
                    jc 1f
                    mov $0x600d, %si     # the BIOS's carry reached the hook
            1:      push %bp             # return with the BIOS's flags: into the caller's image
                    mov %sp, %bp
                    push %ax
                    pushf
                    pop %ax
                    mov %ax, 6(%bp)
                    pop %ax
                    pop %bp
                    iret
            old:    .long 0
            """)
    void aGuestHookOfInt13hChainsToTheBios(KvmVm vm) {
        vm.bios().attachDisk(0x80, numberedDisk(DISK_SECTORS));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRbp(1).hasRsi(0x600d).hasRax(1);
        assertThat(run.memory().read(0x8000, 2)).containsExactly(1, 1);
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, asm = """
                    xor %ebx, %ebx
                    mov $0x6000, %di
            next:   mov $0xe820, %eax
                    mov $0x534d4150, %edx
                    mov $24, %ecx
                    int $0x15
                    jc failed
                    add $20, %di
                    test %ebx, %ebx
                    jnz next
                    mov $0xe801, %ax
                    int $0x15
                    mov %ax, %si
                    mov $0x88, %ah
                    int $0x15
                    mov %ax, %bp
                    mov $0x2401, %ax
                    int $0x15
                    mov $0x2402, %ax
                    int $0x15
                    mov %al, %bl
                    xor %ah, %ah
                    int $0x1a
                    xor %ah, %ah
                    int $0x1a           # ticks advance by one per read
                    hlt
            failed: mov $0xbad, %si
                    hlt
            """)
    void theMemoryMapSizesA20AndTicksComeFromTheMachine(GuestRun run) {
        assertThat(run).haltedNormally().registers().hasRsi(1024).hasRbp(1024).hasRbx(1);
        assertThat(run.registers().rdx() & 0xffff).as("ticks, read twice").isEqualTo(2);
        ByteBuffer map = ByteBuffer.wrap(run.memory().read(0x6000, 60)).order(ByteOrder.LITTLE_ENDIAN);
        long[][] entries = new long[3][];
        for (int i = 0; i < 3; i++) {
            entries[i] = new long[] {map.getLong(20 * i), map.getLong(20 * i + 8), map.getInt(20 * i + 16)};
        }
        assertThat(entries).isDeepEqualTo(new long[][] {
            {0, 0xa0000, 1}, {0xf0000, 0x10000, 2}, {0x100000, 0x100000, 1},
        });
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, asm = """
                    mov $0x01, %ah
                    int $0x16           # a key waiting? ZF: no
                    jnz failed
                    xor %ah, %ah
                    int $0x16           # wait for a key
                    mov %ax, %si
                    xor %ah, %ah
                    int $0x16
                    mov %ax, %di
                    hlt
            failed: mov $0xbad, %si
                    hlt
            """)
    void readingAnEmptyKeyQueueStopsTheRunAndTheNextRunGetsTheKey(KvmVm vm) {
        GuestRun waiting = vm.run();

        assertThat(waiting).stoppedWith(ExitReason.STOPPED);
        assertThat(waiting.lastExit().detail()).startsWith("int 0x16 AH=0x00: the guest waits for a key");

        vm.bios().typeKeys("a\n");
        assertThat(vm.run()).haltedNormally().registers().hasRsi(0x1e61).hasRdi(0x1c0d);
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, asm = """
                    mov $0x99, %ah
                    mov $0x80, %dl
                    int $0x13
                    int $0x18
                    int $0x19
                    hlt
            """)
    void unservedServicesAndBootFailuresStopTheRunNamingTheCall(KvmVm vm) {
        vm.bios().attachDisk(0x80, numberedDisk(DISK_SECTORS));

        GuestRun unserved = vm.run();
        assertThat(unserved).stoppedWith(ExitReason.STOPPED);
        assertThat(unserved.lastExit().detail()).isEqualTo(
                "int 0x13 AH=0x99 (AX=0x9900) is not served by the BIOS's INT 13h");

        vm.onInterrupt(0x13, vector -> { });
        assertThat(vm.run().lastExit().detail()).startsWith("int 0x18: the guest gave up booting");
        vm.onInterrupt(0x18, vector -> { });
        assertThat(vm.run().lastExit().detail()).startsWith("int 0x19: the guest asked the BIOS to boot again");
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS)
    void bootingLoadsTheFirstSectorAt7c00WithTheDriveInDl(KvmVm vm) {
        byte[] disk = new byte[DISK_SECTORS * 512];
        byte[] bootSector = {
            (byte) 0x88, (byte) 0xd6,               // mov %dl, %dh
            (byte) 0xb8, 0x41, 0x0e,                // mov $0x0e41, %ax: 'A'
            (byte) 0xcd, 0x10,                      // int $0x10
            (byte) 0xf4,                            // hlt
        };
        System.arraycopy(bootSector, 0, disk, 0, bootSector.length);
        disk[510] = 0x55;
        disk[511] = (byte) 0xaa;
        vm.bios().attachDisk(0x80, disk).boot(0x80);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRip(0x7c08);
        assertThat(run.registers().rdx() & 0xffff).isEqualTo(0x8080);
        assertThat(run.screenOutput()).isEqualTo("A");
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, code = "f4")
    void disksThatCannotBeAttachedOrBootedAreRefused(KvmVm vm) {
        assertThatIllegalArgumentException().isThrownBy(() -> vm.bios().attachDisk(0x80, new byte[1000]))
                .withMessage("the image of drive 0x80 has 1000 bytes, not a positive multiple of the 512-byte sector");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.bios().attachDisk(0x81, new byte[512]))
                .withMessageContaining("drive 0x81 cannot come before drive 0x80");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.bios().attachDisk(0x02, new byte[512]))
                .withMessageContaining("drive 0x2 is not a BIOS drive number");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.bios().attachDisk(0x80, "no/such/disk.img"))
                .withMessageContaining("no such classpath resource");
        vm.bios().attachDisk(0x80, new byte[512]);
        assertThatIllegalArgumentException().isThrownBy(() -> vm.bios().boot(0x80))
                .withMessageContaining("drive 0x80 is not bootable");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.bios().boot(0x00))
                .withMessageContaining("no disk is attached as drive 0x00");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.bios().typeKeys("é"))
                .withMessageContaining("U+00E9");
    }

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, code = "f4")
    void withoutTheBiosThereIsNoBios(KvmVm vm) {
        assertThatIllegalStateException().isThrownBy(vm::bios).withMessageContaining("firmware = Firmware.BIOS");
    }

    @Test
    @KvmGuest(firmware = Firmware.BIOS, memory = {@Memory(size = 0x80000), @Memory(guestAddress = 0x100000, size = 0x400000)},
              code = "cd 12 f4")
    void conventionalMemoryFollowsTheDeclaredRam(GuestRun run) {
        assertThat(run).haltedNormally().registers().hasRax(512);
    }
}
