package io.github.junitkvm.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestFunction;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A C function of eight arguments ({@code epoch_millis} in {@code src/test/c/calendar.c}), called by
 * name in both conventions and checked against {@link java.time}: in {@code PROTECTED} mode (cdecl:
 * all eight arguments on the stack, the 64-bit result in EDX:EAX) and in {@code LONG} mode (System V:
 * six in registers, two on the stack).
 *
 * <p>What to learn: the same test calls the i386 and the x86-64 build; the extension knows the
 * convention from the CPU mode, and the result's width from the test ({@code asLong()} for
 * {@code int64_t}, {@code asInt()} for {@code int32_t}).
 */
class CalendarFunctionTest {
    @Nested
    @KvmGuest(mode = CpuMode.PROTECTED, resource = "/guests/calendar-32.elf")
    class Cdecl extends CalendarChecks {
    }

    @Nested
    @KvmGuest(mode = CpuMode.LONG, resource = "/guests/calendar-64.elf")
    class SystemV extends CalendarChecks {
    }

    abstract static class CalendarChecks {
        @Test
        void epochMillisMatchesJavaTime(KvmVm vm) {
            // int64_t epoch_millis(year, month, day, hour, minute, second, millis, offset_minutes)
            GuestFunction epochMillis = vm.function("epoch_millis");
            Random random = new Random(8);
            for (int i = 0; i < 500; i++) {
                LocalDateTime time = LocalDateTime.of(1600 + random.nextInt(800), 1 + random.nextInt(12), 1, 0, 0)
                        .plusDays(random.nextInt(31)).plusSeconds(random.nextInt(86400))
                        .plusNanos(random.nextInt(1000) * 1_000_000L);
                ZoneOffset offset = ZoneOffset.ofTotalSeconds((random.nextInt(26 * 4) - 12 * 4) * 15 * 60);

                long millis = epochMillis.call(time.getYear(), time.getMonthValue(), time.getDayOfMonth(),
                        time.getHour(), time.getMinute(), time.getSecond(), time.getNano() / 1_000_000,
                        offset.getTotalSeconds() / 60).asLong();

                assertThat(millis).as("%s%s", time, offset)
                        .isEqualTo(OffsetDateTime.of(time, offset).toInstant().toEpochMilli());
            }
        }

        @Test
        void dayOfWeekMatchesJavaTime(KvmVm vm) {
            GuestFunction dayOfWeek = vm.function("day_of_week"); // int32_t day_of_week(year, month, day)
            for (LocalDate date = LocalDate.of(1969, 12, 1); date.isBefore(LocalDate.of(1970, 3, 1));
                    date = date.plusDays(1)) {
                assertThat(dayOfWeek.call(date.getYear(), date.getMonthValue(), date.getDayOfMonth()).asInt())
                        .as("%s", date).isEqualTo(date.getDayOfWeek().getValue());
            }
        }
    }
}
