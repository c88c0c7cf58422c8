package dev.closewait.bootstrap;

/**
 * What the hooks report, implemented by the agent. Lives on the bootstrap path, so its signatures use JDK types only.
 * The {@code socket} argument is whatever object the instrumented JDK method had at hand (a socket impl, a channel,
 * an SSL socket or a file descriptor); the agent decides which tracked socket it means.
 */
public interface SocketEventListener {

    void opened(Object socket, boolean accepted);

    void connected(Object socket);

    void secured(Object sslSocket);

    void endOfStream(Object socket);

    void wrote(Object socket);

    void inputShutdown(Object socket);

    void closed(Object socket);

    /** A hook caught this; the agent counts and logs it. Must not throw. */
    void hookFailed(Throwable failure);
}
