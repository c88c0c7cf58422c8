package dev.closewait.core;

/** Monotonic time for ages and deadlines, and the wall time of a monotonic reading for reports. Faked in tests. */
public interface Clock {

    long nanoTime();

    long epochMillis(long nanoTime);

    static Clock system() {
        long baseNanos = System.nanoTime();
        long baseMillis = System.currentTimeMillis();
        return new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public long epochMillis(long nanoTime) {
                return baseMillis + (nanoTime - baseNanos) / 1_000_000L;
            }
        };
    }
}
