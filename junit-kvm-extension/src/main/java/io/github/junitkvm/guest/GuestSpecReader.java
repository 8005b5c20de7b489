package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Cpuid;
import io.github.junitkvm.Device;
import io.github.junitkvm.Firmware;
import io.github.junitkvm.FwCfgFile;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestText;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Multiboot;
import io.github.junitkvm.Registers;
import io.github.junitkvm.backend.CpuidEntry;
import io.github.junitkvm.backend.MachineConfig;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.backend.TraceRecorder;
import io.github.junitkvm.chipset.Chipset;
import io.github.junitkvm.firmware.FirmwareRom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a {@link KvmGuest} into a {@link GuestSpec}, checking every attribute. Whatever cannot be
 * honoured is a {@link KvmGuestConfigurationException} whose message names the attribute and the
 * value at fault.
 */
public final class GuestSpecReader {
    static final long PAGE_SIZE = 4096;
    static final long DEFAULT_RAM_SIZE = 2 * 1024 * 1024;
    /** Real-mode code runs with CS = 0, so IP, and with it the entry point, stays below 64 KiB. */
    static final long REAL_MODE_IP_LIMIT = 0x10000;
    /** The default real-mode stack top: word-aligned and below 64 KiB, since SS = 0. */
    static final long REAL_MODE_STACK_CEILING = 0xfff0;
    private static final long STACK_ALIGNMENT = 16;
    /**
     * The end of the largest physical address space of an x86-64 CPU (MAXPHYADDR is at most 52):
     * RAM past it could not be reached by any guest.
     */
    static final long PHYSICAL_ADDRESS_LIMIT = 1L << 52;
    /**
     * The most RAM regions a guest may have, each a KVM memory slot: the 509 slots x86 KVM offered
     * ({@code KVM_CAP_NR_MEMSLOTS}) until Linux 5.12 raised it to 32764.
     */
    static final int MAX_REGIONS = 509;
    private static final long MIB = 1 << 20;
    private static final long DEFAULT_LOAD_ADDRESS = 0x1000;
    /** The largest fw_cfg file a test may give: 64 MiB, ample for the configuration blobs it serves. */
    private static final int FW_CFG_FILE_LIMIT = 64 << 20;
    /** With firmware and no declared memory: conventional memory below 640 KiB, and 1 MiB at 1 MiB. */
    private static final List<RamRegion> FIRMWARE_DEFAULT_RAM =
            List.of(new RamRegion(0, 0xa0000, false), new RamRegion(MIB, MIB, false));
    /** The interrupt vector table and the BIOS data area, which firmware needs as RAM. */
    private static final long FIRMWARE_LOW_RAM = 0x500;

    private final ClassLoader resources;
    private final Assembler assembler;

    /** @param resources where {@link KvmGuest#resource()} is looked up */
    public GuestSpecReader(ClassLoader resources) {
        this(resources, GuestAssembler.shared());
    }

    /**
     * @param resources where {@link KvmGuest#resource()} is looked up
     * @param assembler what assembles {@link KvmGuest#asm()}
     */
    GuestSpecReader(ClassLoader resources, Assembler assembler) {
        this.resources = resources;
        this.assembler = assembler;
    }

    /**
     * @param guest the annotation
     * @return the validated description
     * @throws KvmGuestConfigurationException if an attribute cannot be honoured
     */
    public GuestSpec read(KvmGuest guest) {
        Optional<Multiboot> multiboot = readMultiboot(guest);
        CpuMode mode = multiboot.isPresent() ? CpuMode.PROTECTED : guest.mode();
        RamLayout ram = new RamLayout(withFirmware(guest.firmware(), mode, guest.memory().length,
                guest.memory().length == 0 && guest.firmware() != Firmware.NONE
                        ? FIRMWARE_DEFAULT_RAM : readMemory(guest.memory())));
        MultibootLoader.Loaded booted = multiboot.map(m -> new MultibootLoader(resources, ram)
                .load(m, Resource.find(resources, guest.resource()))).orElse(null);
        LoadedCode code = booted != null ? booted.code() : readCode(guest, mode, ram);
        OptionalLong area = systemArea(ram, mode, code.image());
        GeneralRegisters registers = readRegisters(guest.registers(), mode, code, ram, area);
        if (booted != null) {
            registers = registers.withRax(MultibootHeader.BOOTLOADER_MAGIC).withRbx(booted.information());
        }
        if (guest.timeoutMillis() <= 0) {
            throw problem("timeoutMillis = " + guest.timeoutMillis(), "not positive");
        }
        if (guest.maxRecordedExits() <= 0) {
            throw problem("maxRecordedExits = " + guest.maxRecordedExits(), "not positive");
        }
        if (guest.maxRecordedOutput() <= 0) {
            throw problem("maxRecordedOutput = " + guest.maxRecordedOutput(), "not positive");
        }
        if (guest.trace() < 0 || guest.trace() > TraceRecorder.MAX_CAPACITY) {
            throw problem("trace = " + guest.trace(), "not between 0 (no trace) and %d instructions",
                    TraceRecorder.MAX_CAPACITY);
        }
        return new GuestSpec(ram.regions(), mode, code.image(), registers, Duration.ofMillis(guest.timeoutMillis()),
                new RecordingLimits(guest.maxRecordedExits(), guest.maxRecordedOutput()), guest.trace(),
                guest.firmware(), code.symbols(), readDevices(guest, ram), readVcpus(guest, mode, ram),
                readCpuid(guest.cpuid()));
    }

    /**
     * @return the {@link KvmGuest#multiboot()} to boot, if any; it takes the place of the mode,
     *     load address and code attributes, which must be left at their defaults
     */
    private static Optional<Multiboot> readMultiboot(KvmGuest guest) {
        if (guest.multiboot().length == 0) {
            return Optional.empty();
        }
        if (guest.multiboot().length > 1) {
            throw problem("multiboot", "%d of them: a guest boots at most one kernel", guest.multiboot().length);
        }
        if (guest.resource().isEmpty()) {
            throw problem("multiboot", "no kernel: name the Multiboot image in resource");
        }
        if (!guest.code().isEmpty() || !guest.asm().isEmpty()) {
            throw problem("multiboot, " + (guest.code().isEmpty() ? "asm" : "code"), "the kernel is the resource;"
                    + " leave code and asm empty");
        }
        if (guest.mode() != CpuMode.REAL && guest.mode() != CpuMode.PROTECTED) {
            throw problem("multiboot, mode = " + guest.mode(), "a Multiboot kernel starts in 32-bit PROTECTED mode"
                    + " with paging off; leave mode at its default or set PROTECTED");
        }
        if (guest.loadAddress() != DEFAULT_LOAD_ADDRESS) {
            throw problem(hex("multiboot, loadAddress", guest.loadAddress()), "the kernel's ELF program headers or"
                    + " Multiboot header say where it goes; leave loadAddress at its default");
        }
        if (guest.firmware() != Firmware.NONE) {
            throw problem("multiboot, firmware = " + guest.firmware(), "a Multiboot kernel brings its own"
                    + " interrupt handlers; leave firmware at NONE");
        }
        return Optional.of(guest.multiboot()[0]);
    }

    private GuestDevices readDevices(KvmGuest guest, RamLayout ram) {
        Set<Device> enabled = readDeviceSet(guest.devices(), ram);
        if (guest.fwCfgFiles().length > 0 && !enabled.contains(Device.FW_CFG)) {
            throw problem("fwCfgFiles", "the files need the fw_cfg device: add devices = Device.FW_CFG");
        }
        if (guest.fwCfgFiles().length > FwCfg.MAX_FILES) {
            throw problem("fwCfgFiles", "%d files, more than the %d a fw_cfg directory holds (QEMU's file slots)",
                    guest.fwCfgFiles().length, FwCfg.MAX_FILES);
        }
        List<GuestDevices.File> files = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < guest.fwCfgFiles().length; i++) {
            FwCfgFile file = guest.fwCfgFiles()[i];
            String attribute = "fwCfgFiles[" + i + "]";
            String name = file.name();
            if (name.isEmpty() || name.length() >= FwCfg.NAME_SIZE || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw problem(attribute + ".name = \"" + GuestText.literal(name) + "\"", "not a fw_cfg file name: 1 to"
                        + " %d printable ASCII characters without spaces", FwCfg.NAME_SIZE - 1);
            }
            if (!names.add(name)) {
                throw problem(attribute + ".name = \"" + name + "\"", "a file of that name is declared before");
            }
            if (!file.resource().isEmpty() && !file.text().isEmpty()) {
                throw problem(attribute, "both resource and text set: the content comes from one of them");
            }
            files.add(new GuestDevices.File(name, file.resource().isEmpty()
                    ? file.text().getBytes(StandardCharsets.UTF_8) : readFile(attribute, file.resource())));
        }
        return new GuestDevices(enabled, files);
    }

    private byte[] readFile(String attribute, String name) {
        Resource resource = Resource.find(resources, attribute + ".resource", name);
        return resource.readAtMost(FW_CFG_FILE_LIMIT).orElseThrow(() -> problem(resource.attribute(),
                "larger than %d bytes, the most a fw_cfg file may hold here (its size is a 32-bit field, and the"
                        + " JVM holds the file whole)", FW_CFG_FILE_LIMIT));
    }

    private static VcpuSpec readVcpus(KvmGuest guest, CpuMode mode, RamLayout ram) {
        if (guest.vcpus() < 1 || guest.vcpus() > MachineConfig.MAX_VCPUS) {
            throw problem("vcpus = " + guest.vcpus(), "not between 1 and %d", MachineConfig.MAX_VCPUS);
        }
        if (guest.vcpus() == 1) {
            if (guest.apEntry() != -1) {
                throw problem(String.format("apEntry = 0x%x", guest.apEntry()), "the guest has no application"
                        + " processor to start there: set vcpus to 2 or more");
            }
            return VcpuSpec.ONE;
        }
        if (guest.apEntry() != -1) {
            entryRegion(String.format("apEntry = 0x%x", guest.apEntry()), guest.apEntry(), mode, ram);
        }
        if (guest.trace() != 0) {
            throw problem("trace = " + guest.trace(), "a guest of %d vCPUs is not traced; trace a guest of one",
                    guest.vcpus());
        }
        return new VcpuSpec(guest.vcpus(), guest.apEntry());
    }

    /**
     * The devices, checked: each once, what one needs there, and the local APIC's page out of RAM.
     */
    private static Set<Device> readDeviceSet(Device[] devices, RamLayout ram) {
        Set<Device> set = EnumSet.noneOf(Device.class);
        String attribute = "devices = " + Arrays.toString(devices);
        for (Device device : devices) {
            if (device == null || !set.add(device)) {
                throw problem(attribute, "%s is listed twice", device);
            }
        }
        if (set.contains(Device.PIT) && !set.contains(Device.PIC)) {
            throw problem(attribute, "the PIT interrupts through the PIC (IRQ 0): add Device.PIC");
        }
        long apicEnd = Chipset.LOCAL_APIC_BASE + Chipset.LOCAL_APIC_SIZE;
        if (set.contains(Device.LOCAL_APIC) && ram.regions().stream()
                .anyMatch(r -> r.guestAddress() < apicEnd && Chipset.LOCAL_APIC_BASE < r.end())) {
            throw problem(attribute, "the local APIC's page [0x%x, 0x%x) overlaps guest RAM %s: leave it free",
                    Chipset.LOCAL_APIC_BASE, apicEnd, ram.describe());
        }
        return set;
    }

    private static List<CpuidEntry> readCpuid(Cpuid[] leaves) {
        List<CpuidEntry> entries = new ArrayList<>();
        for (Cpuid leaf : leaves) {
            boolean indexed = leaf.subleaf() != Cpuid.ANY_SUBLEAF;
            CpuidEntry entry = new CpuidEntry(leaf.leaf(), indexed ? leaf.subleaf() : 0, indexed, leaf.eax(), leaf.ebx(),
                    leaf.ecx(), leaf.edx());
            for (CpuidEntry earlier : entries) {
                if (earlier.sameSlot(entry)) {
                    throw problem(String.format(Locale.ROOT, "cpuid = @Cpuid(leaf = 0x%x%s)", leaf.leaf(),
                                    indexed ? String.format(Locale.ROOT, ", subleaf = 0x%x", leaf.subleaf()) : ""),
                            "the leaf is set twice, by this and by %s", earlier);
                }
            }
            entries.add(entry);
        }
        return entries;
    }

    /**
     * Adds the firmware ROM to the declared RAM, which must leave it free and, in {@code REAL} mode,
     * hold the interrupt vector table and the BIOS data area. The page tables of {@code PAGED} and
     * {@code LONG} map the first 4 GiB one to one, so the ROM is always reachable at its address.
     */
    private static List<RamRegion> withFirmware(Firmware firmware, CpuMode mode, int declared, List<RamRegion> ram) {
        if (firmware == Firmware.NONE) {
            return ram;
        }
        String attribute = "firmware = " + firmware;
        if (firmware == Firmware.BIOS && mode != CpuMode.REAL) {
            throw problem(attribute + ", mode = " + mode, "the PC BIOS serves REAL-mode guests (the interrupt"
                    + " vector table at 0); for int n served in Java in %s mode use firmware = INTERRUPTS", mode);
        }
        RamRegion rom = new RamRegion(FirmwareRom.BASE, FirmwareRom.SIZE, true);
        for (int i = 0; i < ram.size(); i++) {
            RamRegion region = ram.get(i);
            if (region.guestAddress() < rom.end() && rom.guestAddress() < region.end()) {
                throw problem(attribute, "the firmware ROM [0x%x, 0x%x) overlaps memory[%d] [0x%x, 0x%x): leave"
                        + " it free, e.g. memory = {@Memory(size = 0xa0000), @Memory(guestAddress = 0x100000, size ="
                        + " 0x100000)}, the default with firmware", rom.guestAddress(), rom.end(), i,
                        region.guestAddress(), region.end());
            }
        }
        RamLayout layout = new RamLayout(ram);
        if (mode == CpuMode.REAL && layout.regionHolding(0, FIRMWARE_LOW_RAM).filter(region -> !region.readOnly()).isEmpty()) {
            throw problem(attribute, "the interrupt vector table and the BIOS data area need writable RAM at"
                    + " [0x0, 0x%x); RAM is %s", FIRMWARE_LOW_RAM, layout.describe());
        }
        if (declared >= MAX_REGIONS) {
            throw problem(attribute, "the firmware ROM is one region more than the %d a guest may have", MAX_REGIONS);
        }
        List<RamRegion> withRom = new ArrayList<>(ram);
        withRom.add(rom);
        return withRom;
    }

    private static List<RamRegion> readMemory(Memory[] memory) {
        if (memory.length == 0) {
            return List.of(new RamRegion(0, DEFAULT_RAM_SIZE, false));
        }
        if (memory.length > MAX_REGIONS) {
            throw problem("memory", "%d regions, more than the %d a guest may have", memory.length, MAX_REGIONS);
        }
        List<RamRegion> regions = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < memory.length; i++) {
            Memory m = memory[i];
            if (m.guestAddress() < 0 || m.guestAddress() % PAGE_SIZE != 0) {
                throw problem(hex("memory[" + i + "].guestAddress", m.guestAddress()), "not a page-aligned (4096) address");
            }
            if (m.size() <= 0 || m.size() % PAGE_SIZE != 0) {
                throw problem(hex("memory[" + i + "].size", m.size()), "not a positive multiple of 4096");
            }
            // Neither is negative, and 509 regions of at most 2^52 bytes: nothing below can overflow.
            if (m.size() > PHYSICAL_ADDRESS_LIMIT - m.guestAddress()) {
                throw problem("memory[" + i + "]", "0x%x with size 0x%x runs past the end of the guest physical"
                        + " address space (2^52, the most an x86-64 CPU addresses)", m.guestAddress(), m.size());
            }
            total += m.size();
            if (total > HostMemory.total()) {
                throw problem("memory[" + i + "]", "it brings the guest's RAM to %d MiB, more than the %d MiB of"
                        + " physical memory of this host", (total + MIB - 1) / MIB, HostMemory.total() / MIB);
            }
            RamRegion region = new RamRegion(m.guestAddress(), m.size(), m.readOnly());
            for (int j = 0; j < regions.size(); j++) {
                RamRegion other = regions.get(j);
                if (region.guestAddress() < other.end() && other.guestAddress() < region.end()) {
                    throw problem("memory[" + i + "]", "[0x%x, 0x%x) overlaps memory[%d] [0x%x, 0x%x)",
                            region.guestAddress(), region.end(), j, other.guestAddress(), other.end());
                }
            }
            regions.add(region);
        }
        return regions;
    }

    /** The mode's GDT and page tables need a free block of RAM; REAL needs none. */
    private static OptionalLong systemArea(RamLayout ram, CpuMode mode, List<ImageSegment> image) {
        OptionalLong area = SystemArea.find(ram.regions(), mode, image);
        if (area.isEmpty() && mode != CpuMode.REAL) {
            String what = mode == CpuMode.PROTECTED ? "the GDT" : "the page tables and the GDT";
            throw problem("mode = " + mode, "no room for %s (%d bytes): they need a 4 KiB-aligned block of"
                    + " guest RAM below 4 GiB that does not overlap the code at %s; RAM is %s",
                    what, SystemTables.size(mode, ram.regions()), describe(image), ram.describe());
        }
        return area;
    }

    private LoadedCode readCode(KvmGuest guest, CpuMode mode, RamLayout ram) {
        List<String> sources = new ArrayList<>();
        if (!guest.code().isEmpty()) {
            sources.add("code");
        }
        if (!guest.resource().isEmpty()) {
            sources.add("resource");
        }
        if (!guest.asm().isEmpty()) {
            sources.add("asm");
        }
        if (sources.size() > 1) {
            throw problem(String.join(", ", sources), "set together: set at most one of code, resource and asm");
        }
        Resource resource = guest.resource().isEmpty() ? null : Resource.find(resources, guest.resource());
        if (resource != null && isElf(resource)) {
            return readElf(resource, mode, ram);
        }
        long loadAddress = guest.loadAddress();
        RamRegion region = ram.regionHolding(loadAddress, 1).orElseThrow(
                () -> problem(hex("loadAddress", loadAddress), "outside guest RAM %s", ram.describe()));
        // Whatever the code is, no more than this is read, assembled or kept.
        long room = region.end() - loadAddress;
        String attribute;
        byte[] code;
        String symbolless;
        if (resource != null) {
            attribute = resource.attribute();
            code = readFlatBinary(resource, loadAddress, region, room);
            symbolless = "@KvmGuest(" + attribute + "), a flat binary";
        } else if (!guest.asm().isEmpty()) {
            attribute = "asm";
            code = assemble(guest.asm(), mode, loadAddress, room);
            symbolless = "@KvmGuest(asm), assembled into a flat binary";
        } else {
            attribute = "code";
            code = parseHex(guest.code());
            symbolless = code.length == 0 ? "the test's own writes (no code, resource or asm)" : "@KvmGuest(code)";
        }
        if (code.length > room) {
            throw problem(attribute, "%d bytes at loadAddress 0x%x do not fit in RAM region [0x%x, 0x%x)",
                    code.length, loadAddress, region.guestAddress(), region.end());
        }
        return new LoadedCode(List.of(new ImageSegment(loadAddress, code)), loadAddress, hex("loadAddress", loadAddress),
                ImageSymbols.none(symbolless));
    }

    private static byte[] parseHex(String code) {
        try {
            return HexCode.parse(code);
        } catch (IllegalArgumentException e) {
            throw problem("code = \"" + GuestText.literal(abbreviate(code)) + "\"", "not valid hex: %s", e.getMessage());
        }
    }

    private byte[] assemble(String source, CpuMode mode, long loadAddress, long limit) {
        try {
            return assembler.assemble(source, mode, loadAddress, limit);
        } catch (InvalidImageException e) {
            throw new KvmGuestConfigurationException("@KvmGuest(asm): " + e.getMessage(), e);
        }
    }

    private static boolean isElf(Resource resource) {
        try {
            return ElfImage.hasMagic(resource);
        } catch (IOException e) {
            throw resource.unreadable(e);
        }
    }

    /** Reads a flat binary no further than the {@code room} it has in RAM. */
    private static byte[] readFlatBinary(Resource resource, long loadAddress, RamRegion region, long room) {
        int limit = (int) Math.min(room, ImageFile.MAX_READ);
        byte[] code = resource.readAtMost(limit).orElseThrow(() -> room > limit
                ? problem(resource.attribute(), "the flat binary is larger than %d bytes, the most one Java array holds",
                        limit)
                : problem(resource.attribute(), "the flat binary is larger than the %d bytes from loadAddress 0x%x to "
                        + "the end of RAM region [0x%x, 0x%x)", limit, loadAddress, region.guestAddress(), region.end()));
        if (code.length == 0) {
            throw problem(resource.attribute(), "the resource is empty");
        }
        return code;
    }

    /**
     * Loads the ELF's segments where they say; {@code loadAddress} plays no part. The headers are
     * checked against the mode and the RAM before any segment's bytes are read.
     */
    static LoadedCode readElf(Resource resource, CpuMode mode, RamLayout ram) {
        ElfImage elf = readingElf(resource, () -> ElfImage.read(resource));
        try {
            elf.checkRunsIn(mode);
        } catch (InvalidImageException e) {
            throw new KvmGuestConfigurationException(
                    "@KvmGuest(" + resource.attribute() + ", mode = " + mode + "): " + e.getMessage(), e);
        }
        for (ElfImage.Loadable segment : elf.segments()) {
            // Unsigned sizes: one of 2^63 or more is larger than any RAM.
            if (segment.memorySize() < 0 || ram.regionHolding(segment.address(), segment.memorySize()).isEmpty()) {
                throw problem(resource.attribute(), "segment %d at 0x%x (0x%x bytes) is outside guest RAM %s",
                        segment.index(), segment.address(), segment.memorySize(), ram.describe());
            }
        }
        return new LoadedCode(readingElf(resource, () -> elf.load(resource)), elf.entry(),
                String.format("%s (ELF entry 0x%x)", resource.attribute(), elf.entry()), ImageSymbols.of(resource, elf));
    }

    /** @return what {@code reading} reads of the ELF resource; what stops it fails the test naming the resource */
    private static <T> T readingElf(Resource resource, ElfReading<T> reading) {
        try {
            return reading.read();
        } catch (InvalidImageException e) {
            throw new KvmGuestConfigurationException("@KvmGuest(" + resource.attribute() + "): " + e.getMessage(), e);
        } catch (IOException e) {
            throw resource.unreadable(e);
        }
    }

    /**
     * @param source the attribute the entry point came from, as error messages name it
     * @return the RAM region holding the entry point
     * @throws KvmGuestConfigurationException if the mode's start cannot reach it
     */
    private static RamRegion entryRegion(String source, long rip, CpuMode mode, RamLayout ram) {
        Optional<RamRegion> region = ram.regionHolding(rip, 1);
        if (region.isEmpty()) {
            throw problem(source, "the entry point is outside guest RAM %s", ram.describe());
        }
        if (mode == CpuMode.REAL && rip >= REAL_MODE_IP_LIMIT) {
            throw problem(source, "the entry point is not below 0x10000: REAL mode starts with CS = 0, "
                    + "so it must be in the first 64 KiB");
        }
        if ((mode == CpuMode.PROTECTED || mode == CpuMode.PAGED) && rip >= SystemArea.ADDRESS_LIMIT) {
            throw problem(source, "the entry point is not below 4 GiB: %s mode has 32-bit addresses", mode);
        }
        return region.get();
    }

    private static GeneralRegisters readRegisters(Registers r, CpuMode mode, LoadedCode code, RamLayout ram,
                                                  OptionalLong area) {
        long rip = r.rip() == -1 ? code.entry() : r.rip();
        String ripSource = r.rip() == -1 ? code.entryAttribute() : hex("registers.rip", rip);
        RamRegion entryRegion = entryRegion(ripSource, rip, mode, ram);
        long rsp = r.rsp() == -1 ? defaultStack(mode, stackRegion(mode, entryRegion, ram), area) : r.rsp();
        if (r.rsp() != -1) {
            StackPointer.problem(mode, rsp, ram).ifPresent(why -> {
                throw problem(hex("registers.rsp", rsp), "%s", why);
            });
        }
        Rflags.startProblem(r.rflags()).ifPresent(why -> {
            throw problem(hex("registers.rflags", r.rflags()), "%s", why);
        });
        return new GeneralRegisters(r.rax(), r.rbx(), r.rcx(), r.rdx(), r.rsi(), r.rdi(), rsp, r.rbp(),
                r.r8(), r.r9(), r.r10(), r.r11(), r.r12(), r.r13(), r.r14(), r.r15(), rip,
                r.rflags() | Rflags.FIXED);
    }

    /**
     * The region of the default stack: the entry point's, unless that is read-only (firmware in
     * ROM), where pushes would be lost as MMIO writes; then the highest writable region whose top
     * the mode's default stack can use, if there is one.
     */
    private static RamRegion stackRegion(CpuMode mode, RamRegion entryRegion, RamLayout ram) {
        if (!entryRegion.readOnly()) {
            return entryRegion;
        }
        long below = switch (mode) {
            case REAL -> REAL_MODE_STACK_CEILING;
            case PROTECTED, PAGED -> SystemArea.ADDRESS_LIMIT;
            case LONG -> Long.MAX_VALUE;
        };
        return ram.regions().stream()
                .filter(region -> !region.readOnly() && region.guestAddress() < below)
                .reduce((lower, higher) -> higher)
                .orElse(entryRegion);
    }

    /**
     * REAL: the end of the entry's region, at most 0xfff0. Other modes: the end of the entry's
     * region (at most 4 GiB in 32-bit modes), or the system area's base when the area is in that
     * region, so that the stack grows down from just below the tables; 16-byte aligned.
     */
    static long defaultStack(CpuMode mode, RamRegion entryRegion, OptionalLong area) {
        if (mode == CpuMode.REAL) {
            return Math.min(entryRegion.end(), REAL_MODE_STACK_CEILING);
        }
        long top = mode == CpuMode.LONG ? entryRegion.end() : Math.min(entryRegion.end(), SystemArea.ADDRESS_LIMIT);
        if (area.isPresent() && entryRegion.contains(area.getAsLong(), 1)) {
            top = area.getAsLong();
        }
        return top & -STACK_ALIGNMENT;
    }

    private static String describe(List<ImageSegment> image) {
        return image.stream()
                .map(segment -> String.format("[0x%x, 0x%x)", segment.address(), segment.end()))
                .collect(Collectors.joining(", "));
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static String hex(String attribute, long value) {
        return String.format("%s = 0x%x", attribute, value);
    }

    /** A step of reading an ELF resource. */
    @FunctionalInterface
    private interface ElfReading<T> {
        T read() throws IOException;
    }

    /**
     * @param attribute the attribute and its value, as written in the annotation
     * @param explanation what is wrong with it, a format string
     * @param arguments the format's arguments
     * @return an exception with the message {@code @KvmGuest(attribute): explanation}
     */
    private static KvmGuestConfigurationException problem(String attribute, String explanation, Object... arguments) {
        return new KvmGuestConfigurationException(
                "@KvmGuest(" + attribute + "): " + String.format(explanation, arguments));
    }
}
