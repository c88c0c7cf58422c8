package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Application threads open, read EOF, write, shut down and close sockets while the detector scans and its clock
 * runs past grace: fixed counts, fixed seeds, bounded time. Whatever the interleaving, no socket is reported twice,
 * every close after a report is reported once after it, a closed socket is never left tracked, and nothing deadlocks.
 */
class ConcurrencyStressTest {

    private static final int THREADS = 8;
    private static final int SOCKETS_PER_THREAD = 2_000;
    private static final long GRACE = 1_000;

    /** What a worker did to one socket. */
    private record Fate(boolean endOfStream, boolean closed, boolean shutInputFirst) {
    }

    private static final class SteppingClock implements Clock {
        final AtomicLong now = new AtomicLong(1);

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public long epochMillis(long nanoTime) {
            return nanoTime / 1_000_000L;
        }
    }

    @Test
    void racingThreadsNeverCauseAWrongReportAMissedCloseOrADeadlock() throws Exception {
        SteppingClock clock = new SteppingClock();
        RecordingListener events = new RecordingListener();
        AgentErrors errors = new AgentErrors(line -> { });
        SocketTracker tracker = new SocketTracker(clock, watching -> { });
        LeakDetector detector = new LeakDetector(tracker, GRACE, events, errors);
        Map<Long, Fate> fates = new ConcurrentHashMap<>();
        List<Object> keepAlive = java.util.Collections.synchronizedList(new ArrayList<>());

        AtomicBoolean working = new AtomicBoolean(true);
        Thread detectorThread = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(7);
            while (working.get()) {
                clock.now.addAndGet(random.nextLong(1, GRACE / 4));
                detector.scan();
            }
        }, "test-detector");
        detectorThread.start();

        ExecutorService workers = Executors.newFixedThreadPool(THREADS);
        for (int t = 0; t < THREADS; t++) {
            long seed = t;
            workers.execute(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < SOCKETS_PER_THREAD; i++) {
                    Object socket = new Object();
                    keepAlive.add(socket);
                    TrackedSocket tracked = tracker.opened(socket, SocketType.SOCKET, true, Endpoints.UNKNOWN);
                    boolean shutFirst = random.nextInt(10) == 0;
                    boolean eof = random.nextBoolean();
                    boolean close = random.nextInt(4) != 0;
                    if (shutFirst) {
                        tracker.inputShutdown(socket);
                    }
                    if (eof) {
                        tracker.endOfStream(socket);
                        tracker.endOfStream(socket); // repeated -1 reads
                        tracker.wrote(socket);
                    }
                    if (close) {
                        tracker.closed(socket);
                        tracker.closed(socket); // double close is normal
                    }
                    fates.put(tracked.id, new Fate(eof, close, shutFirst));
                }
            });
        }
        workers.shutdown();
        assertTrue(workers.awaitTermination(60, TimeUnit.SECONDS), "workers deadlocked");
        working.set(false);
        detectorThread.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!detectorThread.isAlive(), "detector deadlocked");
        clock.now.addAndGet(2 * GRACE);
        detector.scan();

        Map<Long, Leak> leaks = new HashMap<>();
        for (Leak leak : events.leaks) {
            assertTrue(leaks.put(leak.id(), leak) == null, "socket #" + leak.id() + " reported twice");
            Fate fate = fates.get(leak.id());
            assertTrue(fate.endOfStream() && !fate.shutInputFirst(), "#" + leak.id() + " reported without a peer EOF");
        }
        Map<Long, Integer> closes = new HashMap<>();
        for (LeakOutcome outcome : events.outcomes) {
            long id = outcome.leak().id();
            assertTrue(leaks.containsKey(id), "outcome for unreported #" + id);
            assertEquals(LeakOutcome.Kind.CLOSED, outcome.kind());
            closes.merge(id, 1, Integer::sum);
        }
        int stillOpen = 0;
        for (Map.Entry<Long, Fate> entry : fates.entrySet()) {
            Fate fate = entry.getValue();
            long id = entry.getKey();
            if (fate.closed()) {
                assertEquals(leaks.containsKey(id) ? 1 : 0, closes.getOrDefault(id, 0),
                        "#" + id + ": one close outcome exactly when it had been reported");
            } else {
                stillOpen++;
                assertEquals(fate.endOfStream() && !fate.shutInputFirst(), leaks.containsKey(id),
                        "#" + id + " never closed: reported exactly when it read a peer EOF");
            }
        }
        assertEquals(stillOpen, tracker.trackedCount(), "closed sockets are forgotten, open ones kept");
        assertEquals(0, errors.count());
    }

    @Test
    void aHundredThousandSocketsOpenedAndClosedLeaveNothingBehind() {
        SteppingClock clock = new SteppingClock();
        RecordingListener events = new RecordingListener();
        SocketTracker tracker = new SocketTracker(clock, watching -> { });
        LeakDetector detector = new LeakDetector(tracker, GRACE, events, new AgentErrors(line -> { }));
        for (int i = 0; i < 100_000; i++) {
            Object socket = new Object();
            tracker.opened(socket, SocketType.SOCKET, false, Endpoints.UNKNOWN);
            if (i % 2 == 0) {
                tracker.endOfStream(socket);
            }
            tracker.closed(socket);
            if (i % 1000 == 0) {
                clock.now.addAndGet(GRACE);
                detector.scan();
            }
        }
        clock.now.addAndGet(2 * GRACE);
        detector.scan();
        assertEquals(0, tracker.trackedCount());
        assertFalse(tracker.anyAwaitingClose());
        assertEquals(List.of(), events.leaks);
    }
}
