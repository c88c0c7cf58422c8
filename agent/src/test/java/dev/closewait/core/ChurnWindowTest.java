package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChurnWindowTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long ORIGIN = 3 * SECOND;
    private final ChurnWindow window = new ChurnWindow(ORIGIN, 60 * SECOND);

    @Test
    void countsEveryEventOfTheCurrentAndTheElevenBucketsBefore() {
        window.add(ORIGIN, 1);
        window.add(ORIGIN + 4 * SECOND, 2);
        window.add(ORIGIN + 5 * SECOND, 3); // second bucket (5 s wide)
        assertEquals(6, window.sum(ORIGIN + 5 * SECOND));
        assertEquals(6, window.sum(ORIGIN + 60 * SECOND - 1)); // bucket 11: the first bucket is still in
        assertEquals(3, window.sum(ORIGIN + 60 * SECOND)); // bucket 12: the first bucket has left
        assertEquals(3, window.sum(ORIGIN + 65 * SECOND - 1));
        assertEquals(0, window.sum(ORIGIN + 65 * SECOND));
    }

    @Test
    void aBucketReusedAfterAWholeWindowStartsAtZero() {
        window.add(ORIGIN + SECOND, 7);
        window.add(ORIGIN + 61 * SECOND, 1); // same slot, twelve buckets later
        assertEquals(1, window.sum(ORIGIN + 61 * SECOND));
    }

    @Test
    void anOldReadingNeverCountsBucketsFromItsFuture() {
        window.add(ORIGIN + 30 * SECOND, 4);
        assertEquals(0, window.sum(ORIGIN + 10 * SECOND));
    }

    @Test
    void readingsBeforeTheOriginCountInTheFirstBucket() {
        window.add(ORIGIN - SECOND, 1);
        assertEquals(1, window.sum(ORIGIN));
    }

    @Test
    void concurrentAddsIntoANewBucketLoseNothing() throws InterruptedException {
        int threads = 4;
        int each = 50_000;
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    // all threads move through the same twelve buckets together, starting each one afresh
                    window.add(ORIGIN + (long) (i / 5_000) * 5 * SECOND + offset, 1);
                }
            });
            started.add(thread);
            thread.start();
        }
        for (Thread thread : started) {
            thread.join();
        }
        assertEquals((long) threads * each, window.sum(ORIGIN + 9 * 5 * SECOND));
    }
}
