package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.GuestAssertion;
import io.github.junitkvm.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reports as the guest library lays them out (junitkvm.h), in a fake RAM at [0x1000, 0x3000). */
class GuestReportReaderTest {
    private static final long REPORT = 0x1800;
    private static final long TEXTS = 0x2000;

    private final Ram ram = new Ram(0x1000, 0x2000);
    private final GuestReportReader reader = new GuestReportReader(ram);
    private final ByteBuffer report = ByteBuffer.allocate(GuestReportReader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long nextText = TEXTS;

    @Test
    void aLogIsItsFormattedMessageWithoutOneTrailingNewline() {
        header(GuestReportReader.LOG, 3);
        report.putLong(56, text("%s is %d (%#x)\n\n"));
        report.putLong(64, text("answer")).putLong(72, -42).putLong(80, 0x2a);

        assertThat(read()).isEqualTo(new GuestReport.Log("answer is -42 (0x2a)\n"));
    }

    @Test
    void doneIsDone() {
        header(GuestReportReader.DONE, 0);

        assertThat(read()).isEqualTo(new GuestReport.Done());
    }

    @Test
    void aFailedConditionHasFileLineAndExpression() {
        header(GuestReportReader.ASSERT, 0);
        report.putLong(8, text("guest.c")).putLong(16, 42).putLong(24, text("length <= 4096"));

        assertThat(read()).isEqualTo(new GuestReport.Failure(
                new GuestAssertion("guest.c", 42, "KVM_ASSERT(length <= 4096)", List.of(), "")));
    }

    @Test
    void aFailedConditionWithAMessageAndKvmFail() {
        header(GuestReportReader.ASSERT, 1);
        report.putLong(8, text("guest.c")).putLong(16, 7).putLong(24, text("n < 3"))
                .putLong(56, text("n is %u")).putLong(64, 5);
        assertThat(assertion().message()).isEqualTo("n is 5");
        assertThat(assertion().expression()).isEqualTo("KVM_ASSERT(n < 3)");

        report.putLong(24, 0);
        assertThat(assertion().expression()).isEqualTo("KVM_FAIL");
    }

    @Test
    void aFailedEqualityHasBothOperandsWithSizeAndSignedness() {
        header(GuestReportReader.ASSERT_EQ, 0);
        report.put(6, (byte) 0x84).put(7, (byte) 0x04);
        report.putLong(8, text("crc.c")).putLong(16, 12).putLong(24, text("n")).putLong(32, text("expected"))
                .putLong(40, -1).putLong(48, 0xcbf43926L);

        GuestAssertion assertion = assertion();

        assertThat(assertion.expression()).isEqualTo("KVM_ASSERT_EQ(n, expected)");
        assertThat(assertion.operands()).containsExactly(new GuestAssertion.Operand("n", -1, 4, true),
                new GuestAssertion.Operand("expected", 0xcbf43926L, 4, false));
        assertThat(assertion).hasToString("crc.c:12: KVM_ASSERT_EQ(n, expected): n = 0xffffffff (-1),"
                + " expected = 0xcbf43926 (3421780262)");
    }

    @Test
    void badPointersInAGoodReportShowWhereTheyPoint() {
        header(GuestReportReader.ASSERT, 1);
        report.putLong(8, 0x9000).putLong(16, 1).putLong(24, 0).putLong(56, text("name %s")).putLong(64, 0x8000);

        GuestAssertion assertion = assertion();

        assertThat(assertion.file()).isEqualTo("<bad pointer 0x9000>");
        assertThat(assertion.message()).isEqualTo("name <bad pointer 0x8000>");
    }

    @Test
    void stringsAreCutAtTheEndOfRamAndAfterTheLimit() {
        byte[] tail = "unterminated".getBytes(StandardCharsets.US_ASCII);
        ram.write(0x3000 - tail.length, tail);
        assertThat(reader.string(0x3000 - tail.length)).isEqualTo("unterminated...");

        byte[] longText = "x".repeat(GuestReportReader.MAX_STRING + 10).getBytes(StandardCharsets.US_ASCII);
        ram.write(0x1000, longText);
        assertThat(reader.string(0x1000)).isEqualTo("x".repeat(GuestReportReader.MAX_STRING) + "...");

        ram.write(0x2100, "utf-8: µs\0".getBytes(StandardCharsets.UTF_8));
        assertThat(reader.string(0x2100)).isEqualTo("utf-8: µs");
    }

    @Test
    void aReportTheHostCannotReadIsAFailureSayingWhy() {
        header(GuestReportReader.DONE, 0);
        ram.write(REPORT, report.array());
        assertThat(malformed(reader.read(2, REPORT))).contains("with a 2-byte OUT");
        assertThat(malformed(reader.read(4, 0x2fc0))).contains("a report at 0x2fc0 that is not in guest RAM");
        assertThat(malformed(reader.read(4, 0x1000))).contains("magic 0x00000000 (expected 0x4d564b4a)");

        header(5, 0);
        assertThat(malformed(read())).contains("kind 5");
        header(GuestReportReader.LOG, 9);
        assertThat(malformed(read())).contains("with 9 arguments, more than the 8 a report holds");
    }

    @Test
    void aStringOfExactlyTheLimitIsWholeAndALongerOneIsCut() {
        ram.write(0x1000, ("y".repeat(GuestReportReader.MAX_STRING) + "\0").getBytes(StandardCharsets.US_ASCII));
        assertThat(reader.string(0x1000)).isEqualTo("y".repeat(GuestReportReader.MAX_STRING));
    }

    @Test
    void aStringRunningIntoTheEndOfRamTakesAFewReads() {
        byte[] tail = "z".repeat(255).getBytes(StandardCharsets.US_ASCII);
        ram.write(0x3000 - tail.length, tail);
        ram.reads = 0;

        assertThat(reader.string(0x3000 - tail.length)).isEqualTo("z".repeat(255) + "...");
        assertThat(ram.reads).as("reads, not one per byte").isLessThanOrEqualTo(20);
    }

    @Test
    void aPointerFarOutsideRamIsBadAfterAFewReads() {
        for (long address : new long[] {0xffff800000000000L, Long.MAX_VALUE, -1, 0x3000}) {
            ram.reads = 0;
            assertThat(reader.string(address)).isEqualTo(String.format("<bad pointer 0x%x>", address));
            assertThat(ram.reads).isLessThanOrEqualTo(10);
        }
    }

    private static String malformed(GuestReport report) {
        assertThat(report).isInstanceOf(GuestReport.Failure.class);
        GuestAssertion assertion = ((GuestReport.Failure) report).assertion();
        assertThat(assertion.expression()).isEmpty();
        return assertion.message();
    }

    private void header(int kind, int argc) {
        report.putInt(0, GuestReportReader.MAGIC).put(4, (byte) kind).put(5, (byte) argc);
    }

    private GuestAssertion assertion() {
        GuestReport read = read();
        assertThat(read).isInstanceOf(GuestReport.Failure.class);
        return ((GuestReport.Failure) read).assertion();
    }

    private GuestReport read() {
        ram.write(REPORT, report.array());
        return reader.read(4, REPORT);
    }

    private long text(String text) {
        long address = nextText;
        byte[] bytes = (text + "\0").getBytes(StandardCharsets.UTF_8);
        ram.write(address, bytes);
        nextText += bytes.length;
        return address;
    }

    /** RAM that, like the extension's, refuses accesses outside it with an IllegalArgumentException. */
    private static final class Ram implements GuestMemory {
        private final long base;
        private final byte[] bytes;
        int reads;

        Ram(long base, int size) {
            this.base = base;
            this.bytes = new byte[size];
        }

        @Override
        public byte[] read(long address, int length) {
            reads++;
            check(address, length);
            byte[] data = new byte[length];
            System.arraycopy(bytes, (int) (address - base), data, 0, length);
            return data;
        }

        @Override
        public void write(long address, byte... data) {
            check(address, data.length);
            System.arraycopy(data, 0, bytes, (int) (address - base), data.length);
        }

        private void check(long address, int length) {
            if (address < base || address - base > bytes.length - length) {
                throw new IllegalArgumentException(String.format("cannot access %d bytes at guest address 0x%x:"
                        + " not inside guest RAM", length, address));
            }
        }
    }
}
