package io.github.junitkvm.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    private final Deque<WorkerProcess> started = new ArrayDeque<>();
    private final WorkerPool pool = new WorkerPool(this::start, 2);

    private WorkerProcess start() {
        WorkerProcess worker = mock(WorkerProcess.class);
        when(worker.isAlive()).thenReturn(true);
        started.add(worker);
        return worker;
    }

    @Test
    void reusesAWorkerGivenBack() {
        WorkerProcess first = pool.lease();
        pool.giveBack(first);

        assertThat(pool.lease()).isSameAs(first);
        assertThat(started).hasSize(1);
    }

    @Test
    void lendsEachWorkerToOneMachineAtATime() {
        WorkerProcess first = pool.lease();
        WorkerProcess second = pool.lease();

        assertThat(second).isNotSameAs(first);
        assertThat(started).hasSize(2);
    }

    @Test
    void dropsAWorkerThatDiedWhileIdleAndStartsAFreshOne() {
        WorkerProcess first = pool.lease();
        pool.giveBack(first);
        when(first.isAlive()).thenReturn(false);

        WorkerProcess next = pool.lease();

        assertThat(next).isNotSameAs(first);
        verify(first).kill(anyString());
        verify(first).shutdown();  // which releases its pipes and deletes its crash files
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void doesNotKeepADeadWorkerGivenBack() {
        WorkerProcess worker = pool.lease();
        when(worker.isAlive()).thenReturn(false);

        pool.giveBack(worker);

        verify(worker).shutdown();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void keepsAtMostTheIdleLimitAndEndsTheRest() {
        WorkerProcess a = pool.lease();
        WorkerProcess b = pool.lease();
        WorkerProcess c = pool.lease();

        pool.giveBack(a);
        pool.giveBack(b);
        pool.giveBack(c);

        assertThat(pool.idleCount()).isEqualTo(2);
        verify(a, never()).shutdown();
        verify(b, never()).shutdown();
        verify(c).shutdown();
    }

    @Test
    void retiresAWorkerAfterServingItsShareOfMachines() {
        WorkerProcess worker = pool.lease();
        for (int i = 1; i < WorkerPool.MACHINES_PER_WORKER; i++) {
            pool.giveBack(worker);
            assertThat(pool.lease()).isSameAs(worker);
        }

        pool.giveBack(worker);

        verify(worker).shutdown();
        assertThat(pool.lease()).isNotSameAs(worker);
    }

    @Test
    void discardKillsTheWorker() {
        WorkerProcess worker = pool.lease();

        pool.discard(worker);

        verify(worker).kill(anyString());
        verify(worker).shutdown();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void closingEndsIdleWorkersAndKillsLeasedOnes() {
        WorkerProcess idle = pool.lease();
        WorkerProcess leased = pool.lease();
        pool.giveBack(idle);

        pool.close();
        pool.close();

        verify(idle).shutdown();
        verify(leased).kill(anyString());
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void aClosedPoolLendsNoWorkerAndEndsThoseGivenBack() {
        WorkerProcess leased = pool.lease();
        pool.close();

        pool.giveBack(leased);

        verify(leased).shutdown();
        assertThat(pool.idleCount()).isZero();
        assertThatIllegalStateException().isThrownBy(pool::lease)
                .withMessage("the emulator is closed: its test run is over");
        assertThat(started).hasSize(1);
    }
}
