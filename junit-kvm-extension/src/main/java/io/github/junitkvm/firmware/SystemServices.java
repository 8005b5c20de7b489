package io.github.junitkvm.firmware;

import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.backend.RamRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code INT 15h}, the system services a boot loader asks for: the memory map ({@code E820h}),
 * the memory sizes ({@code E801h}, {@code 88h}), the A20 gate ({@code 2400h} to {@code 2403h}),
 * and waiting ({@code 86h}), all from the declared RAM. A20 is always enabled: the machines
 * behind both backends do not wrap addresses at 1 MiB, so a request to disable it fails.
 */
final class SystemServices implements FirmwareService {
    /** {@code 'SMAP'}, the signature of E820h calls and answers. */
    static final long SMAP = 0x534d4150L;
    static final int E820_ENTRY = 20;
    static final int USABLE = 1;
    static final int RESERVED = 2;
    private static final int UNSUPPORTED = 0x86;
    private static final long MIB = 1 << 20;
    private static final long SIXTEEN_MIB = 16 * MIB;

    private final RamMap ram;
    private final GuestMemory memory;
    private final List<long[]> memoryMap;

    SystemServices(RamMap ram, GuestMemory memory) {
        this.ram = ram;
        this.memory = memory;
        this.memoryMap = memoryMap(ram);
    }

    /** @return the E820 entries: each RAM region usable, each read-only region (the ROM) reserved */
    private static List<long[]> memoryMap(RamMap ram) {
        List<long[]> entries = new ArrayList<>();
        for (RamRegion region : ram.regions()) {
            entries.add(new long[] {region.guestAddress(), region.size(), region.readOnly() ? RESERVED : USABLE});
        }
        return entries;
    }

    @Override
    public Outcome serve(InterruptCall call) {
        if (call.eax() == 0xe820) {
            return e820(call);
        }
        return switch (call.ax()) {
            case 0xe801 -> e801(call);
            case 0x2400 -> call.failed(UNSUPPORTED);
            case 0x2401 -> call.succeeded();
            case 0x2402 -> {
                call.succeeded();
                call.setAl(1);
                yield Outcome.RETURNED;
            }
            case 0x2403 -> {
                call.succeeded();
                call.setBx(0);
                yield Outcome.RETURNED;
            }
            default -> switch (call.ah()) {
                case 0x88 -> {
                    call.setCarry(false);
                    call.setAx((int) Math.min(0xffff, ram.writableFrom(MIB) / 1024));
                    yield Outcome.RETURNED;
                }
                case 0x86 -> call.succeeded();
                case 0xc0 -> call.failed(UNSUPPORTED);
                default -> call.unserved("BIOS's INT 15h");
            };
        };
    }

    /** EAX=E820h, EDX='SMAP', EBX the entry (0 first), ES:DI a buffer of ECX (at least 20) bytes. */
    private Outcome e820(InterruptCall call) {
        long index = call.ebx();
        if (call.edx() != SMAP || call.ecx() < E820_ENTRY || index >= memoryMap.size()
                || !ramWritable(call.esDi())) {
            return call.failed(UNSUPPORTED);
        }
        long[] entry = memoryMap.get((int) index);
        memory.write(call.esDi(), ByteBuffer.allocate(E820_ENTRY).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(entry[0]).putLong(entry[1]).putInt((int) entry[2]).array());
        call.setCarry(false);
        call.setEax(SMAP);
        call.setEcx(E820_ENTRY);
        call.setEbx(index + 1 < memoryMap.size() ? index + 1 : 0);
        return Outcome.RETURNED;
    }

    private boolean ramWritable(long address) {
        return ram.writable(address, E820_ENTRY);
    }

    /** AX=E801h: KiB from 1 MiB to 16 MiB in AX and CX, 64 KiB blocks above 16 MiB in BX and DX. */
    private Outcome e801(InterruptCall call) {
        long low = Math.min(ram.writableFrom(MIB), SIXTEEN_MIB - MIB);
        long high = low == SIXTEEN_MIB - MIB ? Math.min(ram.writableFrom(SIXTEEN_MIB), 0xffffL << 16) : 0;
        call.setCarry(false);
        call.setAx((int) (low / 1024));
        call.setCx((int) (low / 1024));
        call.setBx((int) (high >>> 16));
        call.setDx((int) (high >>> 16));
        return Outcome.RETURNED;
    }
}
