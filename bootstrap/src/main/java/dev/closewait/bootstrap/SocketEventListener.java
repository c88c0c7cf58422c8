package dev.closewait.bootstrap;

/**
 * What the hooks report, implemented by the agent. Lives on the bootstrap path, so its signatures use JDK types only.
 * The {@code socket} argument is whatever object the instrumented JDK method had at hand (a socket impl, a channel,
 * an SSL socket or a file descriptor); the agent decides which tracked socket it means. The event methods may throw:
 * {@code SocketHooks} catches everything, counts it and passes it to {@link #hookFailed}, the one place errors of the
 * hooks are handled.
 */
public interface SocketEventListener {

    void opened(Object socket, boolean accepted) throws Throwable;

    void connected(Object socket) throws Throwable;

    void secured(Object sslSocket) throws Throwable;

    void endOfStream(Object socket) throws Throwable;

    void wrote(Object socket) throws Throwable;

    void inputShutdown(Object socket) throws Throwable;

    void closed(Object socket) throws Throwable;

    /** A hook caught this; the agent counts and logs it. Must not throw. */
    void hookFailed(Throwable failure);
}
