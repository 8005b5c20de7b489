package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Device;
import io.github.junitkvm.FwCfgFile;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Multiboot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multiboot kernels and modules read through {@link GuestSpecReader}, from files the tests write. */
class MultibootLoaderTest {
    private static final long KERNEL = 0x100000;

    @TempDir
    Path files;

    @KvmGuest(resource = "kernel.bin", memory = {@Memory(size = 0xa0000), @Memory(guestAddress = 0x100000, size = 0x100000)},
              multiboot = @Multiboot(commandLine = "kernel", modules = {
                      @Multiboot.Module(resource = "module.bin", string = "first"),
                      @Multiboot.Module(resource = "module.bin", string = "second")}))
    void flatKernel() {
    }

    @Test
    void loadsAFlatKernelByItsAddressesTheModulesOnPagesAfterItAndTheInformationInTheFirstFreeBytes() throws IOException {
        write("kernel.bin", flatKernel(0x1000, 0x3000));
        write("module.bin", new byte[100]);

        GuestSpec spec = read("flatKernel");

        ImageSegment kernel = spec.image().get(0);
        assertThat(kernel.address()).isEqualTo(KERNEL);
        assertThat(kernel.bytes()).hasSize(0x1000);
        assertThat(kernel.size()).as("the bss is part of it").isEqualTo(0x3000);
        assertThat(spec.image()).extracting(ImageSegment::address)
                .as("the information fits after the first module, on its page")
                .containsExactly(KERNEL, KERNEL + 0x3000, KERNEL + 0x4000, KERNEL + 0x3068);
        assertThat(spec.mode()).isEqualTo(CpuMode.PROTECTED);
        assertThat(spec.registers().rip()).isEqualTo(KERNEL + 0x20);
        assertThat(spec.registers().rax()).isEqualTo(0x2BADB002L);
        assertThat(spec.registers().rbx()).isEqualTo(KERNEL + 0x3068);
    }

    @KvmGuest(resource = "kernel.bin", memory = @Memory(guestAddress = 0x100000, size = 0x4000), multiboot = @Multiboot)
    void kernelInFourPages() {
    }

    @Test
    void aBssPastTheEndOfRamIsRefusedBeforeAnythingIsRead() throws IOException {
        write("kernel.bin", flatKernel(0x1000, 0xffe00000L));

        assertThatThrownBy(() -> read("kernelInFourPages")).isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("@KvmGuest(resource = \"kernel.bin\", multiboot): the image from load_addr 0x100000 to"
                        + " 0xfff00000 (load_end_addr 0x101000, bss_end_addr 0xfff00000) does not fit in RAM region"
                        + " [0x100000, 0x104000)");
    }

    @Test
    void noRoomForTheInformationStructureIsNamed() throws IOException {
        write("kernel.bin", flatKernel(0x1000, 0x4000));

        assertThatThrownBy(() -> read("kernelInFourPages")).hasMessageStartingWith(
                "@KvmGuest(multiboot): no room for the Multiboot information structure (");
    }

    @KvmGuest(resource = "kernel.bin", memory = @Memory(guestAddress = 0x100000, size = 0x4000),
              multiboot = @Multiboot(modules = @Multiboot.Module(resource = "module.bin")))
    void moduleTooLarge() {
    }

    @Test
    void aModuleLargerThanTheFreeRamIsNamed() throws IOException {
        write("kernel.bin", flatKernel(0x1000, 0x1000));
        write("module.bin", new byte[0x3001]);

        assertThatThrownBy(() -> read("moduleTooLarge")).hasMessage("@KvmGuest(multiboot.modules[0].resource ="
                + " \"module.bin\"): the module's 12289 bytes do not fit in the RAM below 4 GiB left free by the"
                + " kernel and the modules before it; RAM is [0x100000, 0x104000)");
    }

    @Test
    void anImageWithoutHeaderIsRefused() throws IOException {
        write("kernel.bin", new byte[0x1000]);

        assertThatThrownBy(() -> read("kernelInFourPages")).hasMessage("@KvmGuest(resource = \"kernel.bin\","
                + " multiboot): no Multiboot header: the magic 0x1badb002 is not at any 4-aligned offset of the first"
                + " 8192 bytes");
    }

    @Test
    void aFlatImageWithoutAddressFieldsIsRefused() throws IOException {
        write("kernel.bin", MultibootHeaderTest.image(0x1000, 0, 0));

        assertThatThrownBy(() -> read("kernelInFourPages")).hasMessageEndingWith("the image is not ELF, and its"
                + " Multiboot header has no address fields (flag bit 16) to say where a flat image goes");
    }

    @Test
    void loadsAnElfKernelByItsProgramHeaders() throws IOException {
        write("kernel.bin", ElfBuilder.elf32().entry(KERNEL + 0x10)
                .load(KERNEL, MultibootHeaderTest.image(0x200, 0, 0), 0x2000).build());

        GuestSpec spec = read("kernelInFourPages");

        assertThat(spec.image()).extracting(ImageSegment::address, ImageSegment::size)
                .containsExactly(Tuple.tuple(KERNEL, 0x2000L),
                        Tuple.tuple(KERNEL + 0x2000, (long) spec.image().get(1).bytes().length));
        assertThat(spec.registers().rip()).isEqualTo(KERNEL + 0x10);
        assertThat(spec.registers().rbx()).isEqualTo(KERNEL + 0x2000);
    }

    @Test
    void anElf64KernelIsRefusedAsQemuRefusesIt() throws IOException {
        write("kernel.bin", ElfBuilder.elf64().entry(KERNEL).load(KERNEL, MultibootHeaderTest.image(0x200, 0, 0), 0x200)
                .build());

        assertThatThrownBy(() -> read("kernelInFourPages")).hasMessageStartingWith("@KvmGuest(resource = \"kernel.bin\","
                + " multiboot): an ELF64 x86-64 executable (EM_X86_64) holds 64-bit code")
                .hasMessageEndingWith("; a Multiboot loader starts the kernel in 32-bit protected mode");
    }

    @KvmGuest(resource = "kernel.bin", mode = CpuMode.LONG, multiboot = @Multiboot)
    void inLongMode() {
    }

    @KvmGuest(resource = "kernel.bin", multiboot = @Multiboot(commandLine = "caf\u00e9"))
    void notAscii() {
    }

    @KvmGuest(code = "f4", devices = Device.FW_CFG, fwCfgFiles = @FwCfgFile(name = "a b", text = "x"))
    void badFileName() {
    }

    @KvmGuest(code = "f4", fwCfgFiles = @FwCfgFile(name = "opt/x", text = "x"))
    void filesWithoutDevice() {
    }

    @Test
    void attributesThatCannotBeHonouredAreNamed() throws IOException {
        write("kernel.bin", flatKernel(0x1000, 0x1000));

        assertThatThrownBy(() -> read("inLongMode")).hasMessageStartingWith("@KvmGuest(multiboot, mode = LONG): a"
                + " Multiboot kernel starts in 32-bit PROTECTED mode");
        assertThatThrownBy(() -> read("notAscii")).hasMessageStartingWith("@KvmGuest(multiboot.commandLine ="
                + " \"caf\\xe9\"): character 3 (U+00E9)");
        assertThatThrownBy(() -> read("badFileName")).hasMessageStartingWith("@KvmGuest(fwCfgFiles[0].name = \"a b\"):"
                + " not a fw_cfg file name");
        assertThatThrownBy(() -> read("filesWithoutDevice")).hasMessage("@KvmGuest(fwCfgFiles): the files need the"
                + " fw_cfg device: add devices = Device.FW_CFG");
    }

    /**
     * A flat kernel of {@code loaded} bytes at 1 MiB with its header at 0, its entry at 0x20, and
     * memory up to {@code bssEnd} past 1 MiB.
     */
    private static byte[] flatKernel(int loaded, long bssEnd) {
        byte[] image = MultibootHeaderTest.image(loaded, 0, MultibootHeader.ADDRESSES);
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(12, (int) KERNEL).putInt(16, (int) KERNEL)
                .putInt(20, (int) KERNEL + loaded).putInt(24, (int) (KERNEL + bssEnd)).putInt(28, (int) KERNEL + 0x20);
        return image;
    }

    private void write(String name, byte[] bytes) throws IOException {
        Files.write(files.resolve(name), bytes);
    }

    private GuestSpec read(String method) {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {files.toUri().toURL()}, null)) {
            return new GuestSpecReader(loader).read(getClass().getDeclaredMethod(method).getAnnotation(KvmGuest.class));
        } catch (NoSuchMethodException | MalformedURLException e) {
            throw new AssertionError(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
