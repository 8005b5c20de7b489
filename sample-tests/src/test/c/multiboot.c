/*
 * A Multiboot kernel that reports what its loader and machine told it, on COM1: the Multiboot
 * information structure (memory sizes, memory map, command line, modules, boot loader name) and
 * QEMU's firmware configuration interface (signature, CPU count, RAM size, a file from its
 * directory). Returns 0 when the loader's magic is right, 1 otherwise.
 */
#include "pc.h"

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table, boot_loader_name;
};

struct multiboot_module {
    uint32_t start, end, string, reserved;
};

struct multiboot_mmap_entry {
    uint32_t size;
    uint64_t base, length;
    uint32_t type;
} __attribute__((packed));

static int same(const char *a, const char *b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static void report_fw_cfg(void) {
    char signature[4];
    fw_cfg_select(0x00);
    for (int i = 0; i < 4; i++) {
        signature[i] = (char) inb(0x511);
    }
    puts("fw_cfg: ");
    putn(signature, 4);
    fw_cfg_select(0x01);
    puts(" id ");
    putdec((uint32_t) fw_cfg_read(4, 0));
    fw_cfg_select(0x05);
    puts(" cpus ");
    putdec((uint32_t) fw_cfg_read(2, 0));
    fw_cfg_select(0x03);
    puts(" ram ");
    puthex(fw_cfg_read(8, 0));
    puts("\n");

    fw_cfg_select(0x19);
    uint32_t count = (uint32_t) fw_cfg_read(4, 1);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t size = (uint32_t) fw_cfg_read(4, 1);
        uint16_t select = (uint16_t) fw_cfg_read(2, 1);
        fw_cfg_read(2, 1);
        char name[56];
        for (int j = 0; j < 56; j++) {
            name[j] = (char) inb(0x511);
        }
        puts("file ");
        puts(name);
        puts(" size ");
        putdec(size);
        puts("\n");
        if (same(name, "opt/junitkvm/greeting")) {
            /* Reading the file moves the selection: the directory is not read further. */
            fw_cfg_select(select);
            puts("greeting: ");
            for (uint32_t j = 0; j < size; j++) {
                putc((char) inb(0x511));
            }
            puts("\n");
            return;
        }
    }
}

uint32_t kernel_main(uint32_t magic, const struct multiboot_info *info) {
    puts("magic ");
    puthex(magic);
    puts("\nflags ");
    puthex(info->flags);
    puts("\nmem ");
    putdec(info->mem_lower);
    puts(" KiB lower, ");
    putdec(info->mem_upper);
    puts(" KiB upper\n");
    for (uint32_t at = info->mmap_addr; at < info->mmap_addr + info->mmap_length;) {
        const struct multiboot_mmap_entry *entry = (const void *) at;
        puts("map ");
        puthex(entry->base);
        puts(" ");
        puthex(entry->length);
        puts(" type ");
        putdec(entry->type);
        puts("\n");
        at += entry->size + 4;
    }
    puts("cmdline ");
    puts((const char *) info->cmdline);
    puts("\nloader ");
    puts((const char *) info->boot_loader_name);
    puts("\n");
    const struct multiboot_module *modules = (const void *) info->mods_addr;
    for (uint32_t i = 0; i < info->mods_count; i++) {
        puts("module ");
        puts((const char *) modules[i].string);
        puts(modules[i].start % 4096 == 0 ? " aligned: " : " unaligned: ");
        putn((const char *) modules[i].start, modules[i].end - modules[i].start);
        puts("\n");
    }
    report_fw_cfg();
    return magic == 0x2BADB002 ? 0 : 1;
}
