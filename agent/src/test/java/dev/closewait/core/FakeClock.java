package dev.closewait.core;

import java.time.Duration;

/** A clock that moves only when a test says so; wall time is a fixed base plus the monotonic reading. */
final class FakeClock implements Clock {

    /** 2023-11-14T22:13:20Z. */
    static final long BASE_EPOCH_MILLIS = 1_700_000_000_000L;

    private long now;

    FakeClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public long epochMillis(long nanoTime) {
        return BASE_EPOCH_MILLIS + nanoTime / 1_000_000L;
    }

    void advance(Duration duration) {
        advanceNanos(duration.toNanos());
    }

    void advanceNanos(long nanos) {
        now += nanos;
    }
}
