package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the real {@code as} and {@code ld}, which the build machine has (binutils). */
class BinutilsTest {
    private static final long LIMIT = 0x10000;

    private final Binutils binutils = new Binutils();

    @Test
    void assemblesForTheOperandSizeOfTheMode() {
        String source = "mov $0x1234, %ax\nhlt\n";

        assertThat(binutils.assemble(source, CpuMode.REAL, 0x1000, LIMIT))
                .containsExactly(0xb8, 0x34, 0x12, 0xf4);
        assertThat(binutils.assemble(source, CpuMode.PROTECTED, 0x1000, LIMIT))
                .as("16-bit operand needs a prefix in 32-bit code").containsExactly(0x66, 0xb8, 0x34, 0x12, 0xf4);
        assertThat(binutils.assemble("mov $1, %rax", CpuMode.LONG, 0x1000, LIMIT))
                .containsExactly(0x48, 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00);
    }

    @Test
    void linksLabelsAsAbsoluteAddressesAtTheLoadAddress() {
        String source = "mov $here, %bx\nhere: hlt";

        assertThat(binutils.assemble(source, CpuMode.REAL, 0x7c00, LIMIT)).containsExactly(0xbb, 0x03, 0x7c, 0xf4);
    }

    @Test
    void reportsEachErrorWithItsLineNumberAndLine() {
        String source = "nop\n  movx %ax,%bx\nnop\nmov %ax\n";

        assertThatThrownBy(() -> binutils.assemble(source, CpuMode.REAL, 0x1000, LIMIT))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("line 2: no such instruction: `movx %ax,%bx'\n    movx %ax,%bx\n"
                        + "line 4: number of operands mismatch for `mov'\n    mov %ax");
    }

    @Test
    void theSourceCanIncludeTheGuestLibrarysMacros() {
        for (CpuMode mode : CpuMode.values()) {
            byte[] code = binutils.assemble(".include \"junitkvm.inc\"\nKVM_LOG \"x\"\nKVM_DONE\n", mode, 0x1000, LIMIT);

            assertThat(new String(code, StandardCharsets.ISO_8859_1)).as("%s", mode).contains("JKVM");
            assertThat(code.length).as("%s: the probe section is not in the binary", mode).isLessThan(400);
        }
    }

    @Test
    void anErrorInsideAMacroNamesTheLineThatUsesIt() {
        String source = ".include \"junitkvm.inc\"\nnop\nKVM_LOG \"x\", (%eax)\n";

        assertThatThrownBy(() -> binutils.assemble(source, CpuMode.PROTECTED, 0x1000, LIMIT))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("line 3: operand size mismatch for `mov' (in the macro used here)\n"
                        + "    KVM_LOG \"x\", (%eax)");
    }

    @Test
    void namesBinutilsWhenAsCannotBeRun() {
        Binutils missing = new Binutils("junit-kvm-no-such-as", "ld");

        assertThatThrownBy(() -> missing.assemble("hlt", CpuMode.REAL, 0x1000, LIMIT))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("cannot run 'junit-kvm-no-such-as': assembling needs GNU binutils (as, ld) "
                        + "in PATH, e.g. apt-get install binutils");
    }

    @Test
    void leavesNoTemporaryFilesBehind() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = assemblyDirectories(tmp);

        binutils.assemble("hlt", CpuMode.REAL, 0x1000, LIMIT);
        assertThatThrownBy(() -> binutils.assemble("movx", CpuMode.REAL, 0x1000, LIMIT));

        assertThat(assemblyDirectories(tmp)).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {".fill 0x7ff00000", ".fill 0x100000", "nop\n.skip 16"})
    void refusesCodeLargerThanTheLimitBeforeItIsWrittenWhole(String source) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = assemblyDirectories(tmp);

        assertThatThrownBy(() -> binutils.assemble(source, CpuMode.PROTECTED, 0x1ff0, 16))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("the code is larger than the 16 bytes of RAM from loadAddress 0x1ff0 to the end of its region");
        assertThat(assemblyDirectories(tmp)).isEqualTo(before);
    }

    @Test
    void codeAsLargeAsTheLimitFits() {
        assertThat(binutils.assemble("nop\n.skip 15", CpuMode.PROTECTED, 0x1ff0, 16)).hasSize(16);
    }

    @Test
    void boundsTheMemoryOfTheTools() {
        assertThatThrownBy(() -> binutils.assemble(".include \"/dev/zero\"", CpuMode.REAL, 0x1000, LIMIT))
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("out of memory");
    }

    @Test
    void aToolStoppedByItsOwnMessagesFailsWithThem(@TempDir Path dir) throws IOException {
        Path flood = dir.resolve("flood");
        Files.writeString(flood, "#!/bin/sh\nwhile :; do echo 'ld: a message that never ends'; done\n");
        flood.toFile().setExecutable(true);
        Binutils floodingLd = new Binutils("as", flood.toString());

        assertThatThrownBy(() -> floodingLd.assemble("hlt", CpuMode.REAL, 0x1000, 16))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("ld failed: ld: a message that never ends\nld: a message that never ends");
    }

    private static List<Path> assemblyDirectories(Path tmp) throws IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("junit-kvm-asm")).sorted().toList();
        }
    }
}
