package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.MmioHandler;
import io.github.junitkvm.VmExit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code @Memory(readOnly = true)}: the guest fetches and reads the region like RAM, its writes are
 * {@code MMIO_WRITE} exits that leave the memory unchanged (as with {@code KVM_MEM_READONLY}), and
 * the test writes it freely through {@link KvmVm#memory()}.
 */
class ReadOnlyMemoryTest {
    /** Firmware in the last 4 KiB below 64 KiB: it reads its ROM, writes it, and calls through a stack in RAM. */
    @Test
    @KvmGuest(memory = {@Memory(size = 0x8000), @Memory(guestAddress = 0xf000, size = 0x1000, readOnly = true)},
              loadAddress = 0xf000, asm = """
                    mov 0xff00, %al         # a byte of the ROM, 0x3c
                    movb $0x55, 0xff00      # lost: an MMIO write
                    mov 0xff00, %bl         # still 0x3c
                    call add_one            # the return address goes to the stack in RAM
                    out %al, $0x80
                    hlt
            add_one:
                    inc %al
                    ret
            """)
    void firmwareRunsFromRomAndItsWritesToRomAreMmioWrites(KvmVm vm) {
        vm.memory().writeByte(0xff00, (byte) 0x3c);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0xff00, 1, 0x55), VmExit.ioOut(0x80, 0x3d), VmExit.hlt());
        assertThat(run).registers().hasRbx(0x3c).hasRsp(0x8000);
        assertThat(run).memoryAt(0xff00, 1).containsExactly(0x3c);
        assertThat(run).memoryAt(0x7ffe, 2).as("the return address pushed to RAM").isNotEqualTo(new byte[2]);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, memory = {@Memory(size = 0x200000),
                                             @Memory(guestAddress = 0x200000, size = 0x1000, readOnly = true)},
              asm = """
                    mov $0x200000, %ebx
                    movb $0x11, (%rbx)
                    movw $0x2222, 0x10(%rbx)
                    movl $0x33333333, 0x20(%rbx)
                    movabs $0x4444444444444444, %rax
                    mov %rax, 0x30(%rbx)
                    lea 0x40(%rbx), %rdi
                    mov $0x66, %al
                    mov $3, %ecx
                    cld
                    rep stosb
                    mov 0x30(%rbx), %rdx     # the ROM's own bytes
                    hlt
            """)
    void writesOfEverySizeAndStringStoresAreOneMmioWriteEach(KvmVm vm) {
        vm.memory().writeLong(0x200030, 0x0123456789abcdefL);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0x200000, 1, 0x11), VmExit.mmioWrite(0x200010, 2, 0x2222),
                VmExit.mmioWrite(0x200020, 4, 0x33333333), VmExit.mmioWrite(0x200030, 8, 0x4444444444444444L),
                VmExit.mmioWrite(0x200040, 1, 0x66), VmExit.mmioWrite(0x200041, 1, 0x66),
                VmExit.mmioWrite(0x200042, 1, 0x66), VmExit.hlt());
        assertThat(run).registers().hasRdx(0x0123456789abcdefL);
        assertThat(run).memoryAt(0x200000, 0x48).isEqualTo(expectedRom());
    }

    /** A ROM at the top of the 32-bit address space, where a PC's firmware sits. */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, memory = {@Memory(size = 0x200000),
                                                  @Memory(guestAddress = 0xffff0000L, size = 0x10000, readOnly = true)},
              loadAddress = 0xffff0000L, asm = """
                    push $0x1234
                    pop %eax
                    movl %eax, 0xfffff000   # lost: an MMIO write
                    mov 0xfffff000, %ecx
                    hlt
            """)
    void protectedModeFirmwareAtTheTopOfFourGibUsesAStackInRam(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0xfffff000L, 4, 0x1234), VmExit.hlt());
        assertThat(run).registers().hasRax(0x1234).hasRcx(0).hasRsp(0x1ff000);
    }

    @Test
    @KvmGuest(memory = {@Memory(size = 0x8000), @Memory(guestAddress = 0x8000, size = 0x1000, readOnly = true)},
              code = "a0 00 80 a2 00 80 c6 06 01 80 07 f4")  // mov al,[0x8000]; mov [0x8000],al; mov byte [0x8001],7; hlt
    void anMmioHandlerOverTheRomSeesItsWritesButNotItsReads(KvmVm vm) {
        vm.memory().writeByte(0x8000, (byte) 0x42);
        List<String> seen = new ArrayList<>();
        vm.onMmio(0x8000, 0x1000, new MmioHandler() {
            @Override
            public long read(long address, int size) {
                seen.add("read " + Long.toHexString(address));
                return 0;
            }

            @Override
            public void write(long address, int size, long value) {
                seen.add("write " + Long.toHexString(address) + "=" + Long.toHexString(value));
            }
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(seen).containsExactly("write 8000=42", "write 8001=7");
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0x8000, 1, 0x42), VmExit.mmioWrite(0x8001, 1, 7),
                VmExit.hlt());
        assertThat(run).memoryAt(0x8000, 2).containsExactly(0x42, 0);
    }

    @Test
    @KvmGuest(memory = {@Memory(size = 0x8000), @Memory(guestAddress = 0xf000, size = 0x1000, readOnly = true)},
              loadAddress = 0xf000, code = "b0 01 e6 80 f4")  // mov al,1; out 0x80,al; hlt
    void theTestMayRewriteTheRomBetweenRuns(KvmVm vm) {
        assertThat(vm.run()).exits().containsExactly(VmExit.ioOut(0x80, 1), VmExit.hlt());

        vm.memory().writeByte(0xf001, (byte) 2);
        vm.setRegisters(vm.registers().withRip(0xf000));
        GuestRun second = vm.run();

        assertThat(second).exits().containsExactly(VmExit.ioOut(0x80, 2), VmExit.hlt());
    }

    private static byte[] expectedRom() {
        byte[] rom = new byte[0x48];
        byte[] before = {(byte) 0xef, (byte) 0xcd, (byte) 0xab, (byte) 0x89, 0x67, 0x45, 0x23, 0x01};
        System.arraycopy(before, 0, rom, 0x30, before.length);
        return rom;
    }
}
