package dev.closewait.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a write raises: a "used" event when it starts a run of writes, a "wrote" event while writes are watched, and
 * one event for both when both hold (under connection churn, every write: one dispatch and one lookup instead of two).
 */
class SocketHooksWriteTest {

    private final List<String> events = new ArrayList<>();
    private final Recording recording = new Recording();
    private final AtomicBoolean watching = (AtomicBoolean) SocketHooks.install(recording)[0];

    /** Records the events; one that does both writes' events at once when {@code merged}. */
    private class Recording implements SocketEventListener {
        boolean merged = true;

        @Override
        public void wroteAndUsed(Object socket) throws Throwable {
            if (merged) {
                events.add("wrote and used for write");
            } else {
                SocketEventListener.super.wroteAndUsed(socket);
            }
        }

        @Override
        public void opened(Object socket, boolean accepted) {
        }

        @Override
        public void connected(Object socket) {
        }

        @Override
        public void secured(Object sslSocket) {
        }

        @Override
        public void endOfStream(Object socket) {
        }

        @Override
        public void wrote(Object socket) {
            events.add("wrote");
        }

        @Override
        public void used(Object socket, boolean write) {
            events.add(write ? "used for write" : "used for read");
        }

        @Override
        public void inputShutdown(Object socket) {
        }

        @Override
        public void closed(Object socket) {
        }

        @Override
        public void hookFailed(Throwable failure) {
            events.add("failed " + failure);
        }
    }

    @AfterEach
    void uninstall() {
        watching.set(false);
        SocketHooks.install(null);
    }

    @Test
    void unwatchedWritesRaiseOneUseEventPerRun() {
        Object socket = new Object();
        SocketHooks.wrote(socket);
        SocketHooks.wrote(socket);
        SocketHooks.readReturned(5, socket);
        SocketHooks.wrote(socket);

        assertEquals(List.of("used for write", "used for read", "used for write"), events);
    }

    @Test
    void aRunEndsWhenTheThreadTurnsToAnotherSocketOrDirection() {
        Object first = new Object();
        Object second = new Object();
        SocketHooks.wrote(first);
        SocketHooks.readReturned(5, first);
        SocketHooks.wrote(second);
        SocketHooks.wrote(second);
        SocketHooks.readReturned(5, first);
        SocketHooks.readReturned(5, first);
        SocketHooks.wrote(first);

        assertEquals(List.of("used for write", "used for read", "used for write", "used for read", "used for write"),
                events);
    }

    @Test
    void aWatchedWriteThatStartsARunIsOneEventThatDoesBoth() {
        watching.set(true);
        Object socket = new Object();
        SocketHooks.wrote(socket);
        SocketHooks.wrote(socket);

        assertEquals(List.of("wrote and used for write", "wrote"), events);
    }

    @Test
    void aListenerThatDoesNotDoBothAtOnceGetsWroteThenUsed() {
        recording.merged = false;
        watching.set(true);
        SocketHooks.wrote(new Object());

        assertEquals(List.of("wrote", "used for write"), events);
    }
}
