/*
 * A Multiboot kernel for two vCPUs (entry: multiboot.S; the AP's: smp-trampoline.S). The bootstrap
 * processor reads the CPU count from fw_cfg, counts three ticks of the PIT through the PIC (IRQ 0
 * remapped to vector 0x20) waiting in sti; hlt, then starts the application processor as a PC's
 * firmware does: INIT and two start-up IPIs from its local APIC, the AP's code copied to 0x8000.
 * Both then add to one counter under a spinlock; the BSP waits for the AP, prints what each
 * processor found (APIC ID register, CPUID's initial APIC ID) and the counter on COM1, and returns
 * 0 when all is as it should be (exit status 1), 1 otherwise.
 */
#include "pc.h"

#define APIC 0xfee00000u
#define APIC_ID 0x20
#define APIC_SVR 0xf0
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define TRAMPOLINE 0x8000u
#define ROUNDS 1000
#define TICKS 3

extern char trampoline_start[], trampoline_end[];
extern void timer_isr(void);

volatile uint32_t ticks;
static volatile uint32_t lock;
static volatile uint32_t counter;
static volatile uint32_t ap_done;
static volatile uint32_t ap_apic_id, ap_cpuid_id;

static uint64_t idt[0x21];

static uint32_t apic_read(uint32_t reg) {
    return *(volatile uint32_t *) (APIC + reg);
}

static void apic_write(uint32_t reg, uint32_t value) {
    *(volatile uint32_t *) (APIC + reg) = value;
}

static uint32_t cpuid_apic_id(void) {
    uint32_t eax = 1, ebx, ecx = 0, edx;
    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
    return ebx >> 24;
}

static void add_under_lock(void) {
    for (int i = 0; i < ROUNDS; i++) {
        while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE)) {
            __asm__ volatile("pause");
        }
        counter = counter + 1;                  /* a plain increment: the lock makes it safe */
        __atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
    }
}

uint32_t ap_main(void) {
    ap_apic_id = apic_read(APIC_ID) >> 24;
    ap_cpuid_id = cpuid_apic_id();
    add_under_lock();
    __atomic_store_n(&ap_done, 1, __ATOMIC_RELEASE);
    return 0xa9;
}

static void timer_ticks(void) {
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    uint32_t isr = (uint32_t) timer_isr;
    idt[0x20] = (isr & 0xffff) | (uint64_t) cs << 16 | (uint64_t) 0x8e00 << 32 | (uint64_t) (isr >> 16) << 48;
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idtr = { sizeof idt - 1, (uint32_t) idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
    outb(0x20, 0x11);                           /* the PICs: IRQ 0-7 at 0x20, 8-15 at 0x28 */
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    outb(0xa0, 0x11);
    outb(0xa1, 0x28);
    outb(0xa1, 0x02);
    outb(0xa1, 0x01);
    outb(0x21, 0xfe);                           /* IRQ 0 only */
    outb(0xa1, 0xff);
    outb(0x43, 0x34);                           /* PIT channel 0, rate generator, about 1000 Hz */
    outb(0x40, 1193 & 0xff);
    outb(0x40, 1193 >> 8);
    while (ticks < TICKS) {
        __asm__ volatile("sti; hlt; cli");
    }
    outb(0x21, 0xff);
}

/* tag::startup[] */
static void start_ap(uint32_t apic_id) {
    for (char *from = trampoline_start, *to = (char *) TRAMPOLINE; from < trampoline_end; from++, to++) {
        *to = *from;
    }
    apic_write(APIC_SVR, 0x1ff);                            /* software-enable the BSP's APIC */
    apic_write(APIC_ICR_HIGH, apic_id << 24);
    apic_write(APIC_ICR_LOW, 0xc500);                       /* INIT, level assert */
    apic_write(APIC_ICR_LOW, 0x8500);                       /* INIT, level de-assert */
    for (int i = 0; i < 2; i++) {
        apic_write(APIC_ICR_HIGH, apic_id << 24);
        apic_write(APIC_ICR_LOW, 0x0600 | TRAMPOLINE >> 12); /* start-up at 0x8000 */
        while (apic_read(APIC_ICR_LOW) & 0x1000) {          /* delivery status: wait until sent */
        }
    }
}
/* end::startup[] */

uint32_t kernel_main(uint32_t magic) {
    fw_cfg_select(0x05);
    uint32_t cpus = (uint32_t) fw_cfg_read(2, 0);
    puts("cpus ");
    putdec(cpus);
    timer_ticks();
    puts("\nticks ");
    putdec(ticks);
    if (cpus < 2) {
        puts("\nno AP\n");
        return 1;
    }
    start_ap(1);
    add_under_lock();
    while (!__atomic_load_n(&ap_done, __ATOMIC_ACQUIRE)) {
        __asm__ volatile("pause");
    }
    uint32_t bsp_apic_id = apic_read(APIC_ID) >> 24, bsp_cpuid_id = cpuid_apic_id();
    puts("\nbsp apic ");
    putdec(bsp_apic_id);
    puts(" cpuid ");
    putdec(bsp_cpuid_id);
    puts("\nap apic ");
    putdec(ap_apic_id);
    puts(" cpuid ");
    putdec(ap_cpuid_id);
    puts("\ncounter ");
    putdec(counter);
    puts("\n");
    return magic == 0x2BADB002 && bsp_apic_id == 0 && ap_apic_id == 1 && counter == 2 * ROUNDS ? 0 : 1;
}
