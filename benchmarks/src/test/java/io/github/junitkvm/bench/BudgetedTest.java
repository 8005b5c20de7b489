package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BudgetedTest {
    @Test
    void theNextCountFillsTheBudgetAtTheLastRate() {
        Budgeted budgeted = new Budgeted(Duration.ofMillis(100), 10, 1_000_000);
        assertThat(budgeted.count()).isEqualTo(10);
        budgeted.took(1_000_000); // 10 operations in 1 ms: 100 µs each
        assertThat(budgeted.count()).isEqualTo(1000);
    }

    @Test
    void theCountStaysBetweenOneAndTheMaximum() {
        Budgeted budgeted = new Budgeted(Duration.ofMillis(100), 10, 500);
        budgeted.took(10);
        assertThat(budgeted.count()).isEqualTo(500);
        budgeted.took(Duration.ofSeconds(100).toNanos());
        assertThat(budgeted.count()).isEqualTo(1);
    }
}
