package dev.closewait.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a read's result raises: -1 is EOF in every read API and in {@code IOUtil} ({@code IOStatus.EOF}); the other
 * negative {@code IOStatus} values that {@code IOUtil.read} returns are no EOF ({@code UNAVAILABLE} -2 is what an
 * asynchronous channel's first read attempt gets when no data is there yet, {@code INTERRUPTED} -3).
 */
class SocketHooksReadTest {

    private final RecordingListener recording = new RecordingListener();
    private final List<String> events = recording.events;

    private final java.util.concurrent.atomic.AtomicBoolean watchingReads;

    SocketHooksReadTest() {
        watchingReads = (java.util.concurrent.atomic.AtomicBoolean) SocketHooks.install(recording)[3];
    }

    @AfterEach
    void uninstall() {
        watchingReads.set(false);
        SocketHooks.install(null);
    }

    /**
     * Reads of data are reported one by one only while watched (the kernel view has a socket in CLOSE_WAIT within
     * grace); otherwise a run of reads raises one "used" event and nothing more.
     */
    @Test
    void readsOfDataAreReportedOneByOneOnlyWhileWatched() {
        Object socket = new Object();
        SocketHooks.readReturned(5, socket);
        SocketHooks.readReturned(5, socket);
        assertEquals(List.of("used for read"), events);

        watchingReads.set(true);
        SocketHooks.readReturned(5, socket);
        SocketHooks.readReturned(5L, socket);
        SocketHooks.readReturned(0, socket);
        SocketHooks.readReturned(-1, socket);
        assertEquals(List.of("used for read", "read", "read", "eof"), events);
    }

    @Test
    void anAsynchronousReadThatFindsNoDataYetIsNoEndOfStream() {
        Object descriptor = new Object();
        SocketHooks.asyncReadReturned(-2, descriptor, true); // IOStatus.UNAVAILABLE: the read is left pending
        SocketHooks.asyncReadReturned(-3, descriptor, true); // IOStatus.INTERRUPTED
        SocketHooks.asyncReadReturned(-2L, descriptor, true); // a scattering read
        SocketHooks.asyncReadReturned(0, descriptor, true);

        assertEquals(List.of(), events);

        SocketHooks.asyncReadReturned(7, descriptor, true);
        SocketHooks.asyncReadReturned(-1, descriptor, true);
        assertEquals(List.of("used for read", "eof"), events);
    }

    @Test
    void onlyMinusOneIsAnEndOfStreamOnEveryReadPath() {
        Object socket = new Object();
        SocketHooks.readReturned(-2, socket);
        SocketHooks.readReturned(-2L, socket);
        SocketHooks.sslReadReturned(-2, socket);
        assertEquals(List.of(), events);

        SocketHooks.readReturned(-1, socket);
        SocketHooks.readReturned(-1L, socket);
        SocketHooks.sslReadReturned(-1, socket);
        assertEquals(List.of("eof", "eof", "eof"), events);
    }

    @Test
    void readsOfSynchronousChannelsThroughIoUtilAreLeftToTheirOwnHooks() {
        SocketHooks.asyncReadReturned(-1, new Object(), false);

        assertEquals(List.of(), events);
    }
}
