package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
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
 * MMIO accesses of every width, aligned or not, plain and by string instructions, in each CPU
 * mode: one exit per access of the instruction (per part, where it leaves a page or MMIO), with its
 * address, size and value, as KVM reports them; the value a handler returns reaches the guest's
 * register, cut to the access size.
 */
class MmioAccessTest {
    /** Answers a read of {@code size} bytes at {@code address} with the bytes 0x11, 0x22, ... after the address's low byte. */
    private static final MmioHandler PATTERN = (address, size) -> 0x8877665544332211L + (address & 0xff);

    @Test
    @KvmGuest(asm = """
                    mov $0x2000, %ax
                    mov %ax, %es
                    movb $0x11, %es:0
                    movw $0x2222, %es:2
                    movl $0x33333333, %es:4
                    movb %es:0x10, %bl
                    movw %es:0x12, %cx
                    movl %es:0x14, %edx
                    hlt
            """, memory = @Memory(size = 0x10000))
    void realModeAccessesOfOneTwoAndFourBytes(KvmVm vm) {
        vm.onMmio(0x20000, 0x1000, PATTERN);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0x20000, 1, 0x11), VmExit.mmioWrite(0x20002, 2, 0x2222),
                VmExit.mmioWrite(0x20004, 4, 0x33333333), VmExit.mmioRead(0x20010, 1), VmExit.mmioRead(0x20012, 2),
                VmExit.mmioRead(0x20014, 4), VmExit.hlt());
        assertThat(run).registers().hasRbx(0x21).hasRcx(0x2223).hasRdx(0x44332225);
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $0xd0000000, %esi
                    movw $0xbeef, 0x20(%esi)
                    movl $0xcafef00d, 0x40(%esi)
                    movzbl 0x60(%esi), %eax
                    movzwl 0x62(%esi), %ebx
                    mov 0x64(%esi), %ecx
                    hlt
            """)
    void protectedModeAccessesHighInTheAddressSpace(KvmVm vm) {
        vm.onMmio(0xd0000000L, 0x1000, PATTERN);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0xd0000020L, 2, 0xbeef),
                VmExit.mmioWrite(0xd0000040L, 4, 0xcafef00dL), VmExit.mmioRead(0xd0000060L, 1),
                VmExit.mmioRead(0xd0000062L, 2), VmExit.mmioRead(0xd0000064L, 4), VmExit.hlt());
        assertThat(run).registers().hasRax(0x71).hasRbx(0x2273).hasRcx(0x44332275);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov $0xd0000000, %esi
                    movabs $0x0102030405060708, %rax
                    mov %rax, 0x10(%rsi)
                    mov 0x18(%rsi), %rbx
                    movb 0x20(%rsi), %cl
                    movl $0x0a0b0c0d, 0x24(%rsi)
                    hlt
            """)
    void longModeAccessesOfEightBytesAreOneExit(KvmVm vm) {
        vm.onMmio(0xd0000000L, 0x1000, PATTERN);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0xd0000010L, 8, 0x0102030405060708L),
                VmExit.mmioRead(0xd0000018L, 8), VmExit.mmioRead(0xd0000020L, 1),
                VmExit.mmioWrite(0xd0000024L, 4, 0x0a0b0c0d), VmExit.hlt());
        assertThat(run).registers().hasRbx(0x8877665544332229L).hasRcx(0x31);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov $0xd0000000, %esi
                    mov 0x12(%rsi), %eax         # 4 bytes at an address that is not a multiple of 4
                    mov 0x23(%rsi), %rbx         # 8 bytes, odd
                    movw $0x1234, 0x31(%rsi)
                    movabs $0x1122334455667788, %rdx
                    mov %rdx, 0x45(%rsi)
                    hlt
            """)
    void unalignedAccessesAreOneExitAtTheirOwnAddress(KvmVm vm) {
        vm.onMmio(0xd0000000L, 0x1000, PATTERN);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioRead(0xd0000012L, 4), VmExit.mmioRead(0xd0000023L, 8),
                VmExit.mmioWrite(0xd0000031L, 2, 0x1234), VmExit.mmioWrite(0xd0000045L, 8, 0x1122334455667788L),
                VmExit.hlt());
        assertThat(run).registers().hasRax(0x44332223).hasRbx(0x8877665544332234L);
    }

    /** MMIO from 0x200000 to 0x201fff, between two RAM regions. */
    @Test
    @KvmGuest(mode = CpuMode.LONG, memory = {@Memory(size = 0x200000), @Memory(guestAddress = 0x202000, size = 0x1000)},
              asm = """
                    mov $0x1ffffe, %esi
                    movl $0x11223344, (%rsi)     # 2 bytes of RAM, 2 of MMIO
                    mov (%rsi), %eax
                    mov $0x200ffe, %esi
                    mov (%rsi), %ebx             # across two MMIO pages
                    movabs $0x0102030405060708, %rcx
                    mov %rcx, -2(%rsi)
                    mov $0x201ffd, %esi
                    movl $0x55667788, (%rsi)     # 3 bytes of MMIO, 1 of RAM
                    mov (%rsi), %edx
                    hlt
            """)
    void accessesLeavingAPageOrMmioAreOneExitPerPartAsKvmSplitsThem(KvmVm vm) {
        vm.onMmio(0x200000, 0x2000, (address, size) -> 0xa1a2a3a4a5a6a7a8L);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0x200000, 2, 0x1122), VmExit.mmioRead(0x200000, 2),
                VmExit.mmioRead(0x200ffe, 2), VmExit.mmioRead(0x201000, 2),
                VmExit.mmioWrite(0x200ffc, 4, 0x05060708), VmExit.mmioWrite(0x201000, 4, 0x01020304),
                VmExit.mmioWrite(0x201ffd, 3, 0x667788), VmExit.mmioRead(0x201ffd, 3), VmExit.hlt());
        assertThat(run).registers().hasRax(0xa7a83344L).hasRbx(0xa7a8a7a8L).hasRdx(0x55a6a7a8L);
        assertThat(run).memoryAt(0x1ffffe, 2).containsExactly(0x44, 0x33);
        assertThat(run).memoryAt(0x202000, 1).containsExactly(0x55);
    }

    /** Neither backend runs code from MMIO: the run stops with KVM's sub-error for it on both. */
    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $0xd0000000, %eax
                    jmp *%eax
            """)
    void executingOutsideRamStopsTheRun(KvmVm vm) {
        vm.onMmio(0xd0000000L, 0x1000, (address, size) -> 0xf4);   // hlt, were it fetched

        GuestRun run = vm.run();

        assertThat(run.exits()).hasSize(1);
        assertThat(run).stoppedWith(ExitReason.INTERNAL_ERROR);
        assertThat(run.lastExit().value()).as("the sub-error").isEqualTo(1);
        assertThat(run.lastExit().detail()).contains("KVM_INTERNAL_ERROR_EMULATION");
        if (vm.backend() == Backend.EMULATOR) {
            assertThat(run.lastExit().detail()).contains("UC_ERR_FETCH_PROT").contains("linear 0xd0000000");
        }
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $0xd0000000, %edi
                    mov $0x5a5a5a5a, %eax
                    mov $3, %ecx
                    cld
                    rep stosl                    # three writes to MMIO
                    mov $0xd0000100, %esi
                    mov $0x100000, %edi
                    mov $2, %ecx
                    rep movsw                    # two reads from MMIO into RAM
                    hlt
            """)
    void stringInstructionsAreOneExitPerElement(KvmVm vm) {
        List<String> writes = new ArrayList<>();
        vm.onMmio(0xd0000000L, 0x1000, new MmioHandler() {
            @Override
            public long read(long address, int size) {
                return PATTERN.read(address, size);
            }

            @Override
            public void write(long address, int size, long value) {
                writes.add(Long.toHexString(address));
            }
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.mmioWrite(0xd0000000L, 4, 0x5a5a5a5a),
                VmExit.mmioWrite(0xd0000004L, 4, 0x5a5a5a5a), VmExit.mmioWrite(0xd0000008L, 4, 0x5a5a5a5a),
                VmExit.mmioRead(0xd0000100L, 2), VmExit.mmioRead(0xd0000102L, 2), VmExit.hlt());
        assertThat(writes).containsExactly("d0000000", "d0000004", "d0000008");
        assertThat(run).memoryAt(0x100000, 4).containsExactly(0x11, 0x22, 0x13, 0x22);
    }
}
