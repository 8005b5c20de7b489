package io.github.junitkvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a failed guest assertion reads: in a test's failure, and on one line in an exit's detail. */
class GuestAssertionTest {
    private static final GuestAssertion EQ = new GuestAssertion("crc.c", 31, "KVM_ASSERT_EQ(crc, JOB->expected)",
            List.of(new GuestAssertion.Operand("crc", 0x414fa339L, 4, false),
                    new GuestAssertion.Operand("JOB->expected", 0xcbf43926L, 4, false)), "");

    @Test
    void anEqualityShowsEachOperandInHexAndDecimalAligned() {
        assertThat(EQ.describe()).isEqualTo(String.format("""
                guest assertion failed at crc.c:31: KVM_ASSERT_EQ(crc, JOB->expected)%n\
                  crc           = 0x414fa339 (1095738169)%n\
                  JOB->expected = 0xcbf43926 (3421780262)"""));
        assertThat(EQ).hasToString("crc.c:31: KVM_ASSERT_EQ(crc, JOB->expected): crc = 0x414fa339 (1095738169),"
                + " JOB->expected = 0xcbf43926 (3421780262)");
    }

    @Test
    void operandsShowAtTheirWidthAndSignedness() {
        assertThat(new GuestAssertion.Operand("i", -1, 4, true).formatted()).isEqualTo("0xffffffff (-1)");
        assertThat(new GuestAssertion.Operand("c", -128, 1, true).formatted()).isEqualTo("0x80 (-128)");
        assertThat(new GuestAssertion.Operand("u8", 0xff, 1, false).formatted()).isEqualTo("0xff (255)");
        assertThat(new GuestAssertion.Operand("l", -1, 8, true).formatted()).isEqualTo("0xffffffffffffffff (-1)");
        assertThat(new GuestAssertion.Operand("ul", -1, 8, false).formatted())
                .isEqualTo("0xffffffffffffffff (18446744073709551615)");
        assertThat(new GuestAssertion.Operand("%ax", 0xfffe, 0, false).formatted())
                .as("asm: width unknown").isEqualTo("0xfffe (65534)");
    }

    @Test
    void aConditionWithAMessageAndAnAssertionWithoutLocation() {
        GuestAssertion withMessage = new GuestAssertion("guest.c", 9, "KVM_ASSERT(n < 3)", List.of(), "n is 5");
        assertThat(withMessage.describe()).isEqualTo(String.format(
                "guest assertion failed at guest.c:9: KVM_ASSERT(n < 3)%n  n is 5"));
        assertThat(withMessage).hasToString("guest.c:9: KVM_ASSERT(n < 3): n is 5");

        GuestAssertion asm = new GuestAssertion("", 0, "KVM_ASSERT(nz)", List.of(), "");
        assertThat(asm.location()).isEmpty();
        assertThat(asm.describe()).isEqualTo("guest assertion failed: KVM_ASSERT(nz)");
        assertThat(asm).hasToString("KVM_ASSERT(nz)");

        GuestAssertion malformed = new GuestAssertion("", 0, "", List.of(), "the report is not one");
        assertThat(malformed.describe()).isEqualTo("guest assertion failed: the report is not one");
        assertThat(malformed).hasToString("the report is not one");
    }

    @Test
    void theGuestsTextsAreEscapedSoThatTheyCannotForgeLines() {
        GuestAssertion forged = new GuestAssertion("a.c\n[ERROR] x", 3, "KVM_ASSERT_EQ(n\r, m)",
                List.of(new GuestAssertion.Operand("n\r", 1, 4, true), new GuestAssertion.Operand("m", 2, 4, true)),
                "msg\u001b[2J\u2028[INFO] y\u202e");

        assertThat(forged.describe()).isEqualTo(String.format("""
                guest assertion failed at a.c\\n[ERROR] x:3: KVM_ASSERT_EQ(n\\r, m)%n\
                  n\\r = 0x1 (1)%n\
                  m   = 0x2 (2)%n\
                  msg\\x1b[2J\\u2028[INFO] y\\u202e"""));
        assertThat(forged).hasToString("a.c\\n[ERROR] x:3: KVM_ASSERT_EQ(n\\r, m): n\\r = 0x1 (1), m = 0x2 (2),"
                + " msg\\x1b[2J\\u2028[INFO] y\\u202e");
        assertThat(forged.file()).as("the record keeps what the guest sent").isEqualTo("a.c\n[ERROR] x");
    }
}
