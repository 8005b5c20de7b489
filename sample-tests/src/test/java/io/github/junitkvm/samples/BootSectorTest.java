package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import org.junit.jupiter.api.Test;

/**
 * A boot sector written as assembly source in the annotation: {@code asm} is assembled by GNU as
 * ({@code .code16} added for {@code REAL} mode) and linked at {@code loadAddress = 0x7c00}, where a
 * BIOS would load it, so its labels are the addresses the code runs at. It prints a banner through
 * a polling COM1 routine called on the default stack, sums a length-prefixed byte table into BX and
 * halts; {@code .org 510} pads it to the 0xaa55 signature in its last two bytes.
 *
 * <p>What to learn: writing the guest as readable source instead of hex bytes, placing data at a
 * fixed address ({@code .org}) so the test can replace it through {@link KvmVm#memory()} before the
 * run, and checking the image itself with {@code memoryAt}.
 */
@KvmGuest(loadAddress = BootSectorTest.LOAD_ADDRESS, asm = """
        start:
                cld
                mov     $banner, %si
                call    print
                mov     $table, %si         # table: a count byte, then the bytes to sum
                lodsb
                xor     %ah, %ah
                mov     %ax, %cx
                xor     %bx, %bx            # BX = the sum
                jcxz    done
        next:   lodsb
                add     %ax, %bx            # AH stays 0: AX is the byte
                loop    next
        done:   hlt

        # Writes the NUL-terminated string at DS:SI to COM1, polling the line status register's
        # THRE bit (0x20) before each byte.
        print:  lodsb
                test    %al, %al
                jz      1f
                mov     %al, %ah
                mov     $0x3fd, %dx
        poll:   in      %dx, %al
                test    $0x20, %al
                jz      poll
                mov     $0x3f8, %dx
                mov     %ah, %al
                out     %al, %dx
                jmp     print
        1:      ret

        banner: .asciz  "Booting junit-kvm\\r\\n"

                .org    0x100               # the table at 0x7d00, where the test can rewrite it
        table:  .byte   5, 10, 20, 30, 40, 50

                .org    510
                .word   0xaa55              # the boot signature
        """)
class BootSectorTest {
    static final long LOAD_ADDRESS = 0x7c00;
    private static final long TABLE = LOAD_ADDRESS + 0x100;

    @Test
    void printsItsBannerAndSumsItsTable(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("Booting junit-kvm\r\n");
        assertThat(run).registers().hasRbx(10 + 20 + 30 + 40 + 50).hasRcx(0).hasRsi(TABLE + 6);
    }

    @Test
    void endsWithTheBootSignature(GuestRun run) {
        assertThat(run).memoryAt(LOAD_ADDRESS + 510, 2).containsExactly(0x55, 0xaa);
        assertThat(run.memory().readShort(0x7dfe)).isEqualTo(0xaa55);
    }

    @Test
    void returnsToTheDefaultStackAfterPrinting(GuestRun run) {
        assertThat(run).registers().hasRsp(0xfff0);
    }

    @Test
    void sumsATableTheTestWrites(KvmVm vm) {
        byte[] table = new byte[256];
        table[0] = (byte) 255;
        for (int i = 1; i < table.length; i++) {
            table[i] = (byte) 0xff;
        }
        vm.memory().write(TABLE, table);

        assertThat(vm.run()).haltedNormally().registers().hasRbx(255 * 0xff);
    }

    @Test
    void sumsNothingForAnEmptyTable(KvmVm vm) {
        vm.memory().writeByte(TABLE, 0);

        assertThat(vm.run()).haltedNormally().registers().hasRbx(0).hasRsi(TABLE + 1);
    }
}
