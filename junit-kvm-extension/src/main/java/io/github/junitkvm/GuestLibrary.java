package io.github.junitkvm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The guest library: guest-side assertions and logging, in the spirit of the KVM selftests'
 * {@code ucall}, shipped in this jar under {@value #RESOURCE_DIRECTORY} — {@value #C_HEADER} for C
 * guests ({@code KVM_ASSERT}, {@code KVM_ASSERT_EQ}, {@code KVM_LOG}, {@code KVM_DONE}, …) and
 * {@value #ASM_MACROS} for GNU as. {@code @KvmGuest(asm = ...)} sources can
 * {@code .include "junitkvm.inc"} as they are; a guest built outside the extension gets the files
 * from {@link #extractTo(Path)}, or from the command line:
 * {@code java -cp junit-kvm-extension.jar io.github.junitkvm.GuestLibrary DIRECTORY}.
 *
 * <p>The protocol: the guest fills a 128-byte report in its memory and writes the report's address
 * with a 32-bit {@code OUT} to port {@value #PORT}. The host reads the report and any string it
 * points to (file, expression, format, {@code %s} arguments) from guest memory, taking every
 * pointer for a guest physical address — true in every {@link CpuMode}, whose memory is
 * identity-mapped, and in real mode with segment bases 0 — and formats log lines and messages
 * itself, so the guest side stays small and freestanding. A log line is added to
 * {@link GuestRun#guestLog()} and the guest goes on; a failed assertion or {@code KVM_DONE} ends the
 * run ({@link ExitReason#GUEST_ASSERTION_FAILED}, {@link ExitReason#GUEST_DONE}), and the failed
 * assertion fails the test. {@value #C_HEADER} documents the report's layout. What the host takes
 * from a report is bounded whatever the guest writes (strings, widths, the log's size), and its
 * control characters are escaped in failure messages: the guide's "Limits on hostile input" (docs/robustness.md).
 */
public final class GuestLibrary {
    /** The I/O port a guest writes its reports' addresses to, with a 32-bit {@code OUT}. */
    public static final int PORT = 0x4a4b;
    /** Where the library's files are in this jar, as a classpath resource directory. */
    public static final String RESOURCE_DIRECTORY = "io/github/junitkvm/guest-lib/";
    /** The C header. */
    public static final String C_HEADER = "junitkvm.h";
    /** The GNU as macros. */
    public static final String ASM_MACROS = "junitkvm.inc";
    /** Every file of the library. */
    public static final List<String> FILES = List.of(C_HEADER, ASM_MACROS);

    private GuestLibrary() {
    }

    /**
     * Writes the library's files into a directory, creating it if needed and replacing older copies,
     * for a guest build to include ({@code gcc -I directory}, {@code as -I directory}).
     *
     * @param directory where the files go
     * @return the directory
     * @throws UncheckedIOException if the directory or a file cannot be written
     */
    public static Path extractTo(Path directory) {
        try {
            Files.createDirectories(directory);
            for (String file : FILES) {
                try (InputStream in = open(file)) {
                    Files.copy(in, directory.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the junit-kvm guest library to " + directory, e);
        }
        return directory;
    }

    /**
     * Extracts the library from the command line.
     *
     * @param args one argument: the directory to extract into
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -cp junit-kvm-extension.jar " + GuestLibrary.class.getName()
                    + " DIRECTORY\nwrites " + String.join(" and ", FILES) + " into DIRECTORY");
            System.exit(2);
        }
        extractTo(Path.of(args[0]));
    }

    private static InputStream open(String file) throws IOException {
        InputStream in = GuestLibrary.class.getClassLoader().getResourceAsStream(RESOURCE_DIRECTORY + file);
        if (in == null) {
            throw new IOException("the resource " + RESOURCE_DIRECTORY + file + " is missing from the classpath");
        }
        return in;
    }
}
