package io.github.junitkvm.guest;

import io.github.junitkvm.backend.RamRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Multiboot information structure a loader hands the kernel in EBX, with everything it points
 * to laid out after it in one block: the module list, the memory map, and the strings (command
 * line, module strings, boot loader name). Valid fields: memory sizes (flag bit 0), command line
 * (2), modules (3), memory map (6) and boot loader name (9).
 */
final class MultibootInfo {
    static final String BOOT_LOADER_NAME = "junit-kvm";
    /** The structure up to and including the framebuffer fields of Multiboot 0.6.96, 4-aligned. */
    static final int STRUCTURE_SIZE = 116;
    private static final int FLAG_MEMORY = 1;
    private static final int FLAG_COMMAND_LINE = 1 << 2;
    private static final int FLAG_MODULES = 1 << 3;
    private static final int FLAG_MEMORY_MAP = 1 << 6;
    private static final int FLAG_BOOT_LOADER_NAME = 1 << 9;
    private static final int MODULE_ENTRY_SIZE = 16;
    /** An entry's size field counts the bytes after itself: base, length and type. */
    private static final int MAP_ENTRY_SIZE = 24;
    private static final int MAP_AVAILABLE = 1;
    private static final int MAP_RESERVED = 2;
    private static final long LOW_MEMORY_END = 0xa0000;
    private static final long UPPER_MEMORY_START = 0x100000;
    private static final long KIB = 1024;

    private MultibootInfo() {
    }

    /**
     * @param modules how many modules the kernel gets
     * @param ram the guest's RAM
     * @param strings the strings' total length, terminators excluded, and their count
     * @return the size of the block {@link #build} makes
     */
    static int size(int modules, RamLayout ram, int strings, int stringCount) {
        return STRUCTURE_SIZE + modules * MODULE_ENTRY_SIZE + ram.regions().size() * MAP_ENTRY_SIZE + strings + stringCount;
    }

    /**
     * @param address where the block goes, below 4 GiB
     * @param ram the guest's RAM, which the memory sizes and map describe
     * @param commandLine the kernel's command line, ASCII
     * @param modules the loaded modules, ASCII strings
     * @return the block's bytes
     */
    static byte[] build(long address, RamLayout ram, String commandLine, List<LoadedModule> modules) {
        List<RamRegion> regions = ram.regions();
        int stringBytes = commandLine.length() + BOOT_LOADER_NAME.length()
                + modules.stream().mapToInt(module -> module.string().length()).sum();
        ByteBuffer out = ByteBuffer.allocate(size(modules.size(), ram, stringBytes, modules.size() + 2))
                .order(ByteOrder.LITTLE_ENDIAN);
        long modulesAt = address + STRUCTURE_SIZE;
        long mapAt = modulesAt + (long) modules.size() * MODULE_ENTRY_SIZE;
        long stringsAt = mapAt + (long) regions.size() * MAP_ENTRY_SIZE;
        out.position((int) (stringsAt - address));
        long commandLineAt = put(out, address, commandLine);
        long loaderNameAt = put(out, address, BOOT_LOADER_NAME);

        out.putInt(0, FLAG_MEMORY | FLAG_COMMAND_LINE | FLAG_MODULES | FLAG_MEMORY_MAP | FLAG_BOOT_LOADER_NAME);
        out.putInt(4, (int) (lowerMemory(ram) / KIB));
        out.putInt(8, (int) Math.min(upperMemory(ram) / KIB, 0xffff_ffffL));
        out.putInt(16, (int) commandLineAt);
        out.putInt(20, modules.size());
        out.putInt(24, (int) modulesAt);
        out.putInt(44, regions.size() * MAP_ENTRY_SIZE);
        out.putInt(48, (int) mapAt);
        out.putInt(64, (int) loaderNameAt);
        int entry = (int) (modulesAt - address);
        for (LoadedModule module : modules) {
            out.putInt(entry, (int) module.address());
            out.putInt(entry + 4, (int) module.end());
            out.putInt(entry + 8, (int) put(out, address, module.string()));
            entry += MODULE_ENTRY_SIZE;
        }
        entry = (int) (mapAt - address);
        for (RamRegion region : regions) {
            out.putInt(entry, MAP_ENTRY_SIZE - 4);
            out.putLong(entry + 4, region.guestAddress());
            out.putLong(entry + 12, region.size());
            out.putInt(entry + 20, region.readOnly() ? MAP_RESERVED : MAP_AVAILABLE);
            entry += MAP_ENTRY_SIZE;
        }
        return out.array();
    }

    /** Appends a NUL-terminated string at the buffer's position; returns its guest address. */
    private static long put(ByteBuffer out, long base, String text) {
        long at = base + out.position();
        out.put(text.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        return at;
    }

    /** @return the bytes of writable RAM from address 0 on, below 640 KiB */
    static long lowerMemory(RamLayout ram) {
        return Math.min(contiguousWritable(ram, 0), LOW_MEMORY_END);
    }

    /** @return the bytes of writable RAM from 1 MiB up to the first hole */
    static long upperMemory(RamLayout ram) {
        return contiguousWritable(ram, UPPER_MEMORY_START);
    }

    private static long contiguousWritable(RamLayout ram, long from) {
        long end = from;
        for (RamRegion region : ram.regions()) {
            if (!region.readOnly() && region.contains(end, 1)) {
                end = region.end();
            }
        }
        return end - from;
    }

    /**
     * A module as loaded into guest RAM.
     *
     * @param address its first byte
     * @param end the address after its last byte
     * @param string its string, ASCII
     */
    record LoadedModule(long address, long end, String string) {
    }
}
