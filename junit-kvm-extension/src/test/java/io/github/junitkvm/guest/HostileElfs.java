package io.github.junitkvm.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The crafted ELF files in {@code src/test/resources/guests/hostile}, which integration tests give
 * to {@code @KvmGuest(resource = ...)}: each is what {@link ElfBuilder} makes here, which
 * {@link HostileElfsTest} checks.
 */
final class HostileElfs {
    /** Where the files are, on the classpath. */
    static final String DIRECTORY = "guests/hostile/";
    private static final byte[] HLT = {(byte) 0xf4};

    private HostileElfs() {
    }

    /** @return each file's name and its bytes */
    static Map<String, byte[]> files() {
        return Map.of(
                // e_phoff so near 2^63 that the table's end passes it: the table lies past any file.
                "far-program-headers.elf", ElfBuilder.elf64().entry(0x1000).load(0x1000, HLT, HLT.length)
                        .programHeaderOffset(0x7fff_ffff_ffff_fff8L).build(),
                // One byte of code, then almost 2 GiB of bss.
                "bss-2gib.elf", ElfBuilder.elf32().entry(0x1000).load(0x1000, HLT, 0x7fff_f000L).build(),
                // 65535 program headers in a file that has one.
                "many-program-headers.elf", ElfBuilder.elf32().entry(0x1000).load(0x1000, HLT, HLT.length)
                        .programHeaderCount(0xffff).build(),
                // A segment whose 4 KiB in the file start where the file ends.
                "segment-past-file.elf", ElfBuilder.elf32().entry(0x1000).load(0x1000, HLT, HLT.length)
                        .loadClaiming(0x80, 0x2000, 0x1000, 0x1000).build(),
                // A segment from 2^64 - 4 KiB, 8 KiB long.
                "wrapping-segment.elf", ElfBuilder.elf64().entry(0x1000).load(0x1000, HLT, HLT.length)
                        .loadClaiming(0, 0xffff_ffff_ffff_f000L, 0, 0x2000).build(),
                // Code at 0x1000, the entry point far outside RAM.
                "entry-outside-ram.elf", ElfBuilder.elf32().entry(0xfff0_0000L).load(0x1000, HLT, HLT.length).build());
    }

    /**
     * Writes the files again.
     *
     * @param arguments the directory, {@code junit-kvm-extension/src/test/resources/guests/hostile}
     * @throws IOException if a file cannot be written
     */
    public static void main(String[] arguments) throws IOException {
        Path directory = Path.of(arguments[0]);
        Files.createDirectories(directory);
        for (Map.Entry<String, byte[]> file : files().entrySet()) {
            Files.write(directory.resolve(file.getKey()), file.getValue());
        }
    }
}
