package io.github.junitkvm.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.DisabledIf;

/**
 * Disables a test where its guest would run on PVM ({@link KvmHost#testsRunOnPvm()}), for the two
 * things PVM cannot do: keep CR0.PG outside long mode ({@code PAGED} guests; {@code PvmPagingTest}
 * pins that), and single-step faithfully ({@code @KvmGuest(trace)}; {@code PvmSingleStepTest} pins
 * that). The test says in a comment which one it needs.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@DisabledIf(value = "io.github.junitkvm.testsupport.KvmHost#testsRunOnPvm",
            disabledReason = "PVM keeps CR0.PG only in long mode (PvmPagingTest) and its single-step skips"
                    + " instructions (PvmSingleStepTest)")
public @interface DisabledOnPvm {
}
