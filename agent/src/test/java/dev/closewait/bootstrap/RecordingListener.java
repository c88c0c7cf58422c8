package dev.closewait.bootstrap;

import java.util.ArrayList;
import java.util.List;

/** A hooks listener that writes down, in order, the events the {@link SocketHooks} tests are about. */
class RecordingListener implements SocketEventListener {

    final List<String> events = new ArrayList<>();
    /** Whether a watched write that starts a run is written down as the one event the agent gets for both. */
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
        events.add("eof");
    }

    @Override
    public void wrote(Object socket) {
        events.add("wrote");
    }

    @Override
    public void read(Object socket) {
        events.add("read");
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
