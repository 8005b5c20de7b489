package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Device;
import io.github.junitkvm.FwCfgFile;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Multiboot;
import org.junit.jupiter.api.Test;

/**
 * A Multiboot kernel written in C ({@code src/test/c/multiboot.c}, linked at 1 MiB) booted as GRUB
 * or QEMU's {@code -kernel} would boot it, reporting on COM1 what its loader and machine told it:
 * the Multiboot information structure and QEMU's firmware configuration interface (fw_cfg).
 *
 * <p>What to learn: {@code multiboot = @Multiboot(...)} loads the {@code resource} as a Multiboot
 * kernel, with the test's command line and modules, and starts it in protected mode with
 * {@code EAX = 0x2BADB002} and {@code EBX} pointing at the information structure;
 * {@code devices = Device.FW_CFG} adds the fw_cfg ports with the test's files; the kernel leaves
 * through the debug-exit port, whose value {@code hasExitStatus} decodes as QEMU's
 * {@code isa-debug-exit} does. The same kernel loads as an ELF (program headers) and as a flat
 * binary (the addresses in its Multiboot header).
 */
class MultibootKernelTest {
    /** What the kernel reports for the RAM below and the modules, and of fw_cfg up to its directory. */
    private static final String BOOT_REPORT = """
            magic 0x2badb002
            flags 0x24d
            mem 640 KiB lower, 3072 KiB upper
            map 0x0 0xa0000 type 1
            map 0x100000 0x300000 type 1
            cmdline kernel console=ttyS0 verbose
            loader junit-kvm
            module first.txt --one aligned: first module
            module second.txt aligned: second
            fw_cfg: QEMU id 1 cpus 1 ram 0x3a0000
            """;
    /** The directory's entry of the greeting, then the greeting, read through its selector. */
    private static final String GREETING = """
            file opt/junitkvm/greeting size 17
            greeting: hello from a test
            """;

    @Test
    @KvmGuest(resource = "/guests/multiboot-kernel.elf",
              memory = {@Memory(size = 0xa0000), @Memory(guestAddress = 0x100000, size = 0x300000)},
              multiboot = @Multiboot(commandLine = "kernel console=ttyS0 verbose", modules = {
                      @Multiboot.Module(resource = "/multiboot/first.txt", string = "first.txt --one"),
                      @Multiboot.Module(resource = "/multiboot/second.txt", string = "second.txt")}),
              devices = Device.FW_CFG,
              fwCfgFiles = {@FwCfgFile(name = "etc/unused", text = "not read"),
                            @FwCfgFile(name = "opt/junitkvm/greeting", text = "hello from a test")})
    void bootsTheElfKernelWithItsModulesAndFwCfg(GuestRun run) {
        // The directory is sorted by name: the other file comes first.
        assertThat(run).hasExitStatus(1).hasSerialOutput(BOOT_REPORT + "file etc/unused size 8\n" + GREETING);
    }

    // tag::multiboot[]
    @Test
    @KvmGuest(resource = "/guests/multiboot-kernel.bin",
              memory = {@Memory(size = 0xa0000), @Memory(guestAddress = 0x100000, size = 0x300000)},
              multiboot = @Multiboot(commandLine = "kernel console=ttyS0 verbose", modules = {
                      @Multiboot.Module(resource = "/multiboot/first.txt", string = "first.txt --one"),
                      @Multiboot.Module(resource = "/multiboot/second.txt", string = "second.txt")}),
              devices = Device.FW_CFG,
              fwCfgFiles = @FwCfgFile(name = "opt/junitkvm/greeting", text = "hello from a test"))
    void bootsTheFlatKernelByTheAddressesInItsHeader(GuestRun run) {
        assertThat(run).hasExitStatus(1).hasSerialOutput(BOOT_REPORT + GREETING);
    }
    // end::multiboot[]
}
