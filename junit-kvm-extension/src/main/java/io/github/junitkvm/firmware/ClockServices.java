package io.github.junitkvm.firmware;

import io.github.junitkvm.GuestMemory;

/**
 * {@code INT 1Ah}: the tick counter of the BIOS data area, and the real-time clock derived from it.
 * Time does not come from the host's clock, so that runs are the same on every backend and every
 * time: each read of the ticks ({@code AH=00h}) advances them by one (18.2 ticks a second), so a
 * guest that waits for ticks in a loop sees them pass, and its timeouts end quickly. The date is
 * always 2000-01-01.
 */
final class ClockServices implements FirmwareService {
    /** The PIT's 1193182 Hz divided by 65536: ticks per day, 0x1800b0. */
    static final long TICKS_PER_DAY = 0x1800b0L;

    private final GuestMemory memory;

    ClockServices(GuestMemory memory) {
        this.memory = memory;
    }

    @Override
    public Outcome serve(InterruptCall call) {
        switch (call.ah()) {
            case 0x00 -> {
                long ticks = (memory.readInt(BiosDataArea.TICKS) & 0xffff_ffffL) + 1;
                int midnight = memory.readByte(BiosDataArea.MIDNIGHT);
                if (ticks >= TICKS_PER_DAY) {
                    ticks = 0;
                    midnight = 1;
                }
                memory.writeInt(BiosDataArea.TICKS, (int) ticks);
                memory.writeByte(BiosDataArea.MIDNIGHT, 0);
                call.setCx((int) (ticks >>> 16));
                call.setDx((int) ticks);
                call.setAl(midnight);
            }
            case 0x01 -> {
                memory.writeInt(BiosDataArea.TICKS, (int) ((long) call.cx() << 16 | call.dx()));
                memory.writeByte(BiosDataArea.MIDNIGHT, 0);
            }
            case 0x02 -> {
                long seconds = (memory.readInt(BiosDataArea.TICKS) & 0xffff_ffffL) * 86_400 / TICKS_PER_DAY;
                call.setCx(bcd((int) (seconds / 3600)) << 8 | bcd((int) (seconds / 60 % 60)));
                call.setDx(bcd((int) (seconds % 60)) << 8);
                call.setCarry(false);
            }
            case 0x04 -> {
                call.setCx(0x2000);
                call.setDx(0x0101);
                call.setCarry(false);
            }
            default -> {
                return call.unserved("BIOS's INT 1Ah");
            }
        }
        return Outcome.RETURNED;
    }

    private static int bcd(int value) {
        return value / 10 << 4 | value % 10;
    }
}
