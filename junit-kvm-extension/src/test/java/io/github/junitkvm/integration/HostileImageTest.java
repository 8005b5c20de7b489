package io.github.junitkvm.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.testsupport.FixtureRuns;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An image that claims more than it has, more than the guest's RAM holds, or code the mode cannot
 * run fails its test at once, naming the attribute and what is wrong, before anything is read,
 * assembled or allocated in proportion to the claim. The crafted ELF files in
 * {@code guests/hostile} are made by {@code io.github.junitkvm.guest.HostileElfs}.
 */
class HostileImageTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            farProgramHeaders  | @KvmGuest(resource = "/guests/hostile/far-program-headers.elf"): truncated ELF file: 121 bytes end before 1 program headers at offset 0x7ffffffffffffff8
            manyProgramHeaders | @KvmGuest(resource = "/guests/hostile/many-program-headers.elf"): truncated ELF file: 85 bytes end before 65535 program headers at offset 0x34
            segmentPastFile    | @KvmGuest(resource = "/guests/hostile/segment-past-file.elf"): truncated ELF file: 117 bytes end before segment 1 (0x1000 bytes at offset 0x80)
            wrappingSegment    | @KvmGuest(resource = "/guests/hostile/wrapping-segment.elf"): segment 1 at 0xfffffffffffff000 with 0x2000 bytes in memory runs past the end of the address space
            entryOutsideRam    | @KvmGuest(resource = "/guests/hostile/entry-outside-ram.elf" (ELF entry 0xfff00000)): the entry point is outside guest RAM [0x0, 0x200000)
            hugeBss            | @KvmGuest(resource = "/guests/hostile/bss-2gib.elf"): segment 0 at 0x1000 (0x7ffff000 bytes) is outside guest RAM [0x0, 0x2000)
            elf32InLongMode    | @KvmGuest(resource = "/guests/elf32-bss.elf", mode = LONG): an ELF32 i386 executable (EM_386) holds 16- or 32-bit code, which runs in REAL, PROTECTED or PAGED mode, not LONG
            elf64InProtected   | @KvmGuest(resource = "/guests/reports-64.elf", mode = PROTECTED): an ELF64 x86-64 executable (EM_X86_64) holds 64-bit code, which runs in LONG mode only, not PROTECTED
            elf64InReal        | @KvmGuest(resource = "/guests/reports-64.elf", mode = REAL): an ELF64 x86-64 executable (EM_X86_64) holds 64-bit code, which runs in LONG mode only, not REAL
            directory          | @KvmGuest(resource = "/guests"): is a directory
            flatLargerThanRam  | @KvmGuest(resource = "/guests/elf32-bss.S"): the flat binary is larger than the 16 bytes from loadAddress 0x1ff0 to the end of RAM region [0x1000, 0x2000)
            hugeFill           | @KvmGuest(asm): the code is larger than the 2093056 bytes of RAM from loadAddress 0x1000 to the end of its region
            arabicIndicDigit   | not valid hex: U+0663 at position 1 is not a hex digit
            fullwidthLetter    | not valid hex: U+FF46 at position 0 is not a hex digit
            """)
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void failsTheTestNamingTheAttribute(String method, String message) {
        assertThat(FixtureRuns.failureOf(Fixture.class, method, KvmVm.class.getName())).hasMessageContaining(message);
    }

    /** Run by {@link #failsTheTestNamingTheAttribute} only, one method at a time. */
    @Tag("fixture")
    static class Fixture {
        @Test
        @KvmGuest(resource = "/guests/hostile/far-program-headers.elf")
        void farProgramHeaders(KvmVm vm) {
        }

        @Test
        @KvmGuest(resource = "/guests/hostile/many-program-headers.elf")
        void manyProgramHeaders(KvmVm vm) {
        }

        @Test
        @KvmGuest(resource = "/guests/hostile/segment-past-file.elf")
        void segmentPastFile(KvmVm vm) {
        }

        @Test
        @KvmGuest(mode = CpuMode.LONG, resource = "/guests/hostile/wrapping-segment.elf")
        void wrappingSegment(KvmVm vm) {
        }

        @Test
        @KvmGuest(resource = "/guests/hostile/entry-outside-ram.elf")
        void entryOutsideRam(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = @Memory(size = 0x2000), resource = "/guests/hostile/bss-2gib.elf")
        void hugeBss(KvmVm vm) {
        }

        @Test
        @KvmGuest(mode = CpuMode.LONG, resource = "/guests/elf32-bss.elf")
        void elf32InLongMode(KvmVm vm) {
        }

        @Test
        @KvmGuest(mode = CpuMode.PROTECTED, resource = "/guests/reports-64.elf")
        void elf64InProtected(KvmVm vm) {
        }

        @Test
        @KvmGuest(resource = "/guests/reports-64.elf")
        void elf64InReal(KvmVm vm) {
        }

        @Test
        @KvmGuest(resource = "/guests")
        void directory(KvmVm vm) {
        }

        @Test
        @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), resource = "/guests/elf32-bss.S",
                loadAddress = 0x1ff0)
        void flatLargerThanRam(KvmVm vm) {
        }

        @Test
        @KvmGuest(asm = ".fill 0x7ff00000")
        void hugeFill(KvmVm vm) {
        }

        @Test
        @KvmGuest(code = "f\u0663")
        void arabicIndicDigit(KvmVm vm) {
        }

        @Test
        @KvmGuest(code = "\uff464")
        void fullwidthLetter(KvmVm vm) {
        }
    }
}
