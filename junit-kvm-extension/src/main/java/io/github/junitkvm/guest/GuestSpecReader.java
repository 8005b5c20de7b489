package io.github.junitkvm.guest;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import io.github.junitkvm.backend.RamRegion;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

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
    private static final long RFLAGS_RESERVED = 0x2;
    private static final long STACK_ALIGNMENT = 16;
    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};

    private final ClassLoader resources;

    /** @param resources where {@link KvmGuest#resource()} is looked up */
    public GuestSpecReader(ClassLoader resources) {
        this.resources = resources;
    }

    /**
     * @param guest the annotation
     * @return the validated description
     * @throws KvmGuestConfigurationException if an attribute cannot be honoured
     */
    public GuestSpec read(KvmGuest guest) {
        RamLayout ram = new RamLayout(readMemory(guest.memory()));
        CpuMode mode = guest.mode();
        byte[] code = readCode(guest);
        long loadAddress = guest.loadAddress();
        if (ram.regionHolding(loadAddress, 1).isEmpty()) {
            throw problem(hex("loadAddress", loadAddress), "outside guest RAM %s", ram.describe());
        }
        if (ram.regionHolding(loadAddress, code.length).isEmpty()) {
            RamRegion region = ram.regionHolding(loadAddress, 1).orElseThrow();
            throw problem(codeAttribute(guest), "%d bytes at loadAddress 0x%x do not fit in RAM region [0x%x, 0x%x)",
                    code.length, loadAddress, region.guestAddress(), region.end());
        }
        OptionalLong area = systemArea(ram, mode, loadAddress, code.length);
        GeneralRegisters registers = readRegisters(guest.registers(), mode, loadAddress, ram, area);
        if (guest.timeoutMillis() <= 0) {
            throw problem("timeoutMillis = " + guest.timeoutMillis(), "not positive");
        }
        return new GuestSpec(ram.regions(), mode, code, loadAddress, registers,
                Duration.ofMillis(guest.timeoutMillis()));
    }

    private static List<RamRegion> readMemory(Memory[] memory) {
        if (memory.length == 0) {
            return List.of(new RamRegion(0, DEFAULT_RAM_SIZE, false));
        }
        List<RamRegion> regions = new ArrayList<>();
        for (int i = 0; i < memory.length; i++) {
            Memory m = memory[i];
            if (m.guestAddress() < 0 || m.guestAddress() % PAGE_SIZE != 0) {
                throw problem(hex("memory[" + i + "].guestAddress", m.guestAddress()), "not a page-aligned (4096) address");
            }
            if (m.size() <= 0 || m.size() % PAGE_SIZE != 0) {
                throw problem(hex("memory[" + i + "].size", m.size()), "not a positive multiple of 4096");
            }
            if (m.guestAddress() + m.size() < 0) {
                throw problem("memory[" + i + "]", "0x%x with size 0x%x runs past the end of the address space",
                        m.guestAddress(), m.size());
            }
            if (m.readOnly()) {
                throw problem("memory[" + i + "].readOnly = true", "read-only regions are not supported yet");
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
    private static OptionalLong systemArea(RamLayout ram, CpuMode mode, long loadAddress, long codeLength) {
        OptionalLong area = SystemArea.find(ram.regions(), mode, loadAddress, codeLength);
        if (area.isEmpty() && mode != CpuMode.REAL) {
            String what = mode == CpuMode.PROTECTED ? "the GDT" : "the page tables and the GDT";
            throw problem("mode = " + mode, "no room for %s (%d bytes): they need a 4 KiB-aligned block of"
                    + " guest RAM below 4 GiB that does not overlap the code at [0x%x, 0x%x); RAM is %s",
                    what, SystemTables.size(mode, ram.regions()), loadAddress, loadAddress + codeLength,
                    ram.describe());
        }
        return area;
    }

    private byte[] readCode(KvmGuest guest) {
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
        if (!guest.asm().isEmpty()) {
            throw problem("asm", "not supported yet: give the machine code as code (hex) or resource (flat binary)");
        }
        if (!guest.resource().isEmpty()) {
            return readResource(guest.resource());
        }
        try {
            return HexCode.parse(guest.code());
        } catch (IllegalArgumentException e) {
            throw problem("code = \"" + abbreviate(guest.code()) + "\"", "not valid hex: %s", e.getMessage());
        }
    }

    private byte[] readResource(String name) {
        String path = name.startsWith("/") ? name.substring(1) : name;
        byte[] image;
        try (InputStream in = resources.getResourceAsStream(path)) {
            if (in == null) {
                throw problem(resourceAttribute(name), "no such classpath resource");
            }
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new KvmGuestConfigurationException(
                    "@KvmGuest(" + resourceAttribute(name) + "): cannot be read: " + e.getMessage(), e);
        }
        if (image.length == 0) {
            throw problem(resourceAttribute(name), "the resource is empty");
        }
        if (startsWith(image, ELF_MAGIC)) {
            throw problem(resourceAttribute(name), "an ELF image: ELF images are not supported yet, give a flat binary");
        }
        return image;
    }

    private static GeneralRegisters readRegisters(Registers r, CpuMode mode, long loadAddress, RamLayout ram,
                                                  OptionalLong area) {
        long rip = r.rip() == -1 ? loadAddress : r.rip();
        String ripSource = r.rip() == -1 ? hex("loadAddress", rip) : hex("registers.rip", rip);
        Optional<RamRegion> entryRegion = ram.regionHolding(rip, 1);
        if (entryRegion.isEmpty()) {
            throw problem(ripSource, "the entry point is outside guest RAM %s", ram.describe());
        }
        if (mode == CpuMode.REAL && rip >= REAL_MODE_IP_LIMIT) {
            throw problem(ripSource, "the entry point is not below 0x10000: REAL mode starts with CS = 0, "
                    + "so it must be in the first 64 KiB");
        }
        if ((mode == CpuMode.PROTECTED || mode == CpuMode.PAGED) && rip >= SystemArea.ADDRESS_LIMIT) {
            throw problem(ripSource, "the entry point is not below 4 GiB: %s mode has 32-bit addresses", mode);
        }
        long rsp = r.rsp() == -1 ? defaultStack(mode, entryRegion.get(), area) : r.rsp();
        return new GeneralRegisters(r.rax(), r.rbx(), r.rcx(), r.rdx(), r.rsi(), r.rdi(), rsp, r.rbp(),
                r.r8(), r.r9(), r.r10(), r.r11(), r.r12(), r.r13(), r.r14(), r.r15(), rip,
                r.rflags() | RFLAGS_RESERVED);
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

    private static String codeAttribute(KvmGuest guest) {
        return guest.resource().isEmpty() ? "code" : resourceAttribute(guest.resource());
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static String resourceAttribute(String name) {
        return "resource = \"" + name + "\"";
    }

    private static String hex(String attribute, long value) {
        return String.format("%s = 0x%x", attribute, value);
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
