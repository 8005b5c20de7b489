package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StopSwitchTest {
    private final StopSwitch stopSwitch = new StopSwitch();

    @Test
    void refusesToStartARunWhoseStopArrivedFirst() {
        stopSwitch.arm(1);
        stopSwitch.request(1);

        assertThat(stopSwitch.enter(() -> { })).isFalse();
    }

    @Test
    void ignoresAStopForAnotherRun() {
        stopSwitch.arm(2);
        stopSwitch.request(1);

        assertThat(stopSwitch.enter(() -> { })).isTrue();
        assertThat(stopSwitch.leave()).isFalse();
    }

    @Test
    void forgetsTheStopOfTheLastRunWhenTheNextIsArmed() {
        stopSwitch.arm(1);
        stopSwitch.request(1);
        stopSwitch.arm(2);

        assertThat(stopSwitch.enter(() -> { })).isTrue();
        assertThat(stopSwitch.leave()).isFalse();
    }

    @Test
    void repeatsTheStopActionUntilTheRunLeaves() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch repeated = new CountDownLatch(3);
        stopSwitch.arm(1);
        stopSwitch.enter(() -> {
            calls.incrementAndGet();
            repeated.countDown();
        });

        stopSwitch.request(1);

        assertThat(repeated.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stopSwitch.leave()).isTrue();
        int afterLeave = calls.get();
        Thread.sleep(50);
        assertThat(calls.get()).isEqualTo(afterLeave);
    }
}
