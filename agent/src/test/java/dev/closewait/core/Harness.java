package dev.closewait.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A tracker and detector on a fake clock, with everything they tell the outside world recorded. */
final class Harness {

    /** Not zero, so that a report mixing up "opened at" and "age" shows. */
    static final long START_NANOS = 7_000_000_000L;
    static final Endpoints ENDPOINTS = new Endpoints(17, address(127, 0, 0, 1, 8080), address(10, 0, 0, 2, 51234));

    final FakeClock clock = new FakeClock(START_NANOS);
    final RecordingListener listener = new RecordingListener();
    final List<Boolean> watches = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final AgentErrors errors = new AgentErrors(warnings::add);
    final SocketTracker tracker = new SocketTracker(clock, watches::add);
    final Duration grace;
    final LeakDetector detector;
    /** Every socket a test made stays strongly reachable, so only the test decides when one is "collected". */
    private final List<Object> alive = new ArrayList<>();

    Harness(Duration grace) {
        this(grace, null);
    }

    /** With {@code listener} in front of the recording one, e.g. to make it throw. */
    Harness(Duration grace, LeakListener listener) {
        this.grace = grace;
        this.detector = new LeakDetector(tracker, grace.toNanos(), listener == null ? this.listener : listener, errors);
    }

    long graceNanos() {
        return grace.toNanos();
    }

    /** A new "socket", tracked as an accepted java.net.Socket. */
    Object open() {
        Object socket = keep(new Object());
        if (tracker.opened(socket, SocketType.SOCKET, true, ENDPOINTS) == null) {
            throw new AssertionError("a new object must be tracked");
        }
        return socket;
    }

    Object keep(Object socket) {
        alive.add(socket);
        return socket;
    }

    TrackedSocket tracked(Object socket) {
        TrackedSocket tracked = tracker.find(socket);
        if (tracked == null) {
            throw new AssertionError("socket is not tracked");
        }
        return tracked;
    }

    /** What the garbage collector does to the record of a socket nobody references any more. */
    void collect(Object socket) {
        tracked(socket).enqueue();
    }

    Boolean lastWatch() {
        return watches.isEmpty() ? null : watches.get(watches.size() - 1);
    }

    /** Runs {@code action} on a thread with the given name and waits for it, so reports can name that thread. */
    static void onThread(String name, Runnable action) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                action.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, name);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (failure.get() != null) {
            throw new AssertionError("failed on thread " + name, failure.get());
        }
    }

    static InetSocketAddress address(int a, int b, int c, int d, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[]{(byte) a, (byte) b, (byte) c, (byte) d}),
                    port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
