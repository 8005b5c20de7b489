/*
 * A function with more arguments than registers, built for i386 (cdecl: all eight on the stack,
 * the 64-bit result in EDX:EAX) and x86-64 (System V: six in registers, two on the stack), that
 * CalendarFunctionTest calls by name and checks against java.time.
 */
#include <stdint.h>

/*
 * Milliseconds since 1970-01-01T00:00Z of a date and time at an offset from UTC, in the proleptic
 * Gregorian calendar (days from the civil date by eras of 400 years). The divisions are 32-bit, so
 * that the i386 build needs no libgcc helpers for 64-bit division.
 */
int64_t epoch_millis(int32_t year, int32_t month, int32_t day, int32_t hour, int32_t minute, int32_t second,
                     int32_t millis, int32_t offset_minutes)
{
    int32_t y = year - (month <= 2);
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t year_of_era = y - era * 400;
    int32_t month_from_march = (month + 9) % 12;
    int32_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    int32_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    int64_t days = (int64_t)era * 146097 + day_of_era - 719468;
    int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - (int64_t)offset_minutes * 60;
    return seconds * 1000 + millis;
}

/* The day of the week of a date, 1 (Monday) to 7 (Sunday), as java.time.DayOfWeek numbers them. */
int32_t day_of_week(int32_t year, int32_t month, int32_t day)
{
    int64_t days = epoch_millis(year, month, day, 0, 0, 0, 0, 0) / 86400000;
    /* 1970-01-01 was a Thursday (4); a 64-bit division by a constant compiles to a multiplication. */
    int32_t from_thursday = (int32_t)(days % 7);
    return (from_thursday + 7 + 3) % 7 + 1;
}
