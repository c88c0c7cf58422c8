package dev.closewait.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a write raises: a "used" event when it starts a run of writes, a "wrote" event while writes are watched, and
 * one event for both when both hold (under connection churn, every write: one dispatch and one lookup instead of two).
 */
class SocketHooksWriteTest {

    private final RecordingListener recording = new RecordingListener();
    private final List<String> events = recording.events;
    private final AtomicBoolean watching = (AtomicBoolean) SocketHooks.install(recording)[0];

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
