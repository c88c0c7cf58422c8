package dev.closewait.agent;

import dev.closewait.bootstrap.SocketEventListener;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakListener;
import dev.closewait.core.LeakOutcome;

/**
 * A switch for tests only: {@code -Ddev.closewait.test.fault=WHERE:WHAT} makes the agent fail on purpose, to prove
 * that its failures never reach the application. WHERE is {@code hooks} (every socket event), {@code reports} (every
 * report) or {@code scans} (every detector run); WHAT is {@code exception}, {@code oom} or {@code stackoverflow} (a
 * real one, by recursion).
 */
final class FaultInjection {

    static final String PROPERTY = "dev.closewait.test.fault";

    private final String where;
    private final String what;

    private FaultInjection(String where, String what) {
        this.where = where;
        this.what = what;
    }

    /** The configured fault, or null when the switch is off or malformed. */
    static FaultInjection configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null || !value.matches("(hooks|reports|scans):(exception|oom|stackoverflow)")) {
            return null;
        }
        String[] parts = value.split(":");
        System.err.println("closewait: TEST SWITCH " + PROPERTY + "=" + value + " is on: the agent fails on purpose.");
        return new FaultInjection(parts[0], parts[1]);
    }

    boolean in(String place) {
        return where.equals(place);
    }

    void fail() {
        switch (what) {
            case "oom" -> throw new OutOfMemoryError("closewait test fault");
            case "stackoverflow" -> recurse(0);
            default -> throw new IllegalStateException("closewait test fault");
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    SocketEventListener failing(SocketEventListener events) {
        return new SocketEventListener() {
            @Override
            public void opened(Object socket, boolean accepted) {
                fail();
            }

            @Override
            public void connected(Object socket) {
                fail();
            }

            @Override
            public void secured(Object sslSocket) {
                fail();
            }

            @Override
            public void endOfStream(Object socket) {
                fail();
            }

            @Override
            public void wrote(Object socket) {
                fail();
            }

            @Override
            public void inputShutdown(Object socket) {
                fail();
            }

            @Override
            public void closed(Object socket) {
                fail();
            }

            @Override
            public void hookFailed(Throwable failure) {
                events.hookFailed(failure);
            }
        };
    }

    LeakListener failing(LeakListener listener) {
        return new LeakListener() {
            @Override
            public void leakDetected(Leak leak) {
                fail();
            }

            @Override
            public void leakResolved(LeakOutcome outcome) {
                fail();
            }
        };
    }
}
