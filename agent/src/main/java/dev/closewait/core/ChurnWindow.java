package dev.closewait.core;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts events in a sliding window of {@value #BUCKETS} buckets, lock-free, in a fixed 96 bytes. Each bucket packs
 * the bucket's number (time since {@code originNanos} divided by the bucket width) in its upper 32 bits and its count
 * in the lower 32, so an application thread starting a new bucket and one counting into it can never lose an event
 * to each other: both compare-and-set the same word.
 *
 * <p>{@link #sum} counts the current bucket and the {@value #BUCKETS} − 1 before it, so it covers between
 * {@code window − width} and {@code window} of history: for a 60 s window, the last 55 to 60 s.
 */
public final class ChurnWindow {

    static final int BUCKETS = 12;
    private static final long COUNT_MASK = 0xFFFF_FFFFL;

    private final long originNanos;
    private final long bucketNanos;
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);

    /**
     * @param originNanos a monotonic reading at or before every later one passed in (bucket numbers count from it)
     * @param windowNanos the window's length; each bucket is a twelfth of it
     */
    public ChurnWindow(long originNanos, long windowNanos) {
        this.originNanos = originNanos;
        this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
    }

    /** Counts {@code count} events at {@code nowNanos} (monotonic). */
    public void add(long nowNanos, int count) {
        long bucket = bucketOf(nowNanos);
        int index = (int) (bucket % BUCKETS);
        while (true) {
            long packed = buckets.get(index);
            long next = (packed >>> 32) == bucket
                    ? (bucket << 32) | Math.min(COUNT_MASK, (packed & COUNT_MASK) + count)
                    : (bucket << 32) | Math.min(COUNT_MASK, count);
            if (buckets.compareAndSet(index, packed, next)) {
                return;
            }
        }
    }

    /** Events counted in the window that ends at {@code nowNanos}. */
    public long sum(long nowNanos) {
        long current = bucketOf(nowNanos);
        long sum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long packed = buckets.get(i);
            long bucket = packed >>> 32;
            if (bucket <= current && current - bucket < BUCKETS) {
                sum += packed & COUNT_MASK;
            }
        }
        return sum;
    }

    /** Bucket numbers fit 32 bits for 2^32 widths after the origin: for a 60 s window, about 680 years. */
    private long bucketOf(long nowNanos) {
        return (Math.max(0, nowNanos - originNanos) / bucketNanos) & COUNT_MASK;
    }
}
