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

    SocketHooksReadTest() {
        SocketHooks.install(recording);
    }

    @AfterEach
    void uninstall() {
        SocketHooks.install(null);
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
