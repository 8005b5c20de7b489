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
                "bss-2gib.elf", ElfBuilder.elf32().entry(0x1000).load(0x1000, HLT, 0x7fff_f000L).build());
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
