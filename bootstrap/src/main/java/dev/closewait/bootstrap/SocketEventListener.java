package dev.closewait.bootstrap;

import java.util.function.ObjIntConsumer;

/**
 * What the hooks report, implemented by the agent. The hooks in java.base know only the JDK's {@link ObjIntConsumer}
 * (the hook's argument and an event code of {@link SocketHooks}); {@link #accept} turns those into the calls below.
 * The {@code socket} argument is whatever object the instrumented JDK method had at hand (a socket impl, a channel,
 * an SSL socket or a file descriptor); the agent decides which tracked socket it means. The event methods may throw:
 * {@code SocketHooks} catches everything, counts it and passes it to {@link #hookFailed}, the one place errors of the
 * hooks are handled.
 */
public interface SocketEventListener extends ObjIntConsumer<Object> {

    void opened(Object socket, boolean accepted) throws Throwable;

    void connected(Object socket) throws Throwable;

    /**
     * A client channel was constructed and is not connected yet (see {@link SocketHooks#CREATED}); by default
     * ignored.
     */
    default void created(Object channel) throws Throwable {
    }

    void secured(Object sslSocket) throws Throwable;

    void endOfStream(Object socket) throws Throwable;

    void wrote(Object socket) throws Throwable;

    /**
     * The first read that returned data, or the first write, of a run of operations of one thread on one socket in
     * one direction ({@code write}): where the application last used the socket. Filtered per thread by
     * {@link SocketHooks}, so it comes once per turn of a request and reply, not once per read or write.
     */
    default void used(Object socket, boolean write) throws Throwable {
    }

    /** A read returned data while reads are watched ({@link SocketHooks#READ}); by default ignored. */
    default void read(Object socket) throws Throwable {
    }

    void inputShutdown(Object socket) throws Throwable;

    void closed(Object socket) throws Throwable;

    /** A hook caught this; the agent counts and logs it. Must not throw. */
    void hookFailed(Throwable failure);

    /**
     * A write that is both {@link #wrote} and the start of a run of writes ({@link #used} with {@code write} true), in
     * that order; a listener may do both with one lookup.
     */
    default void wroteAndUsed(Object socket) throws Throwable {
        wrote(socket);
        used(socket, true);
    }

    /** One event from the hooks: {@code event} is one of {@link SocketHooks}' codes. */
    @Override
    default void accept(Object argument, int event) {
        try {
            dispatch(argument, event);
        } catch (Throwable t) {
            // Rethrown unchanged (the compiler's checked-exception rule does not bind the JVM): SocketHooks catches it.
            throw SocketEventListener.<RuntimeException>unchecked(t);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T unchecked(Throwable t) throws T {
        throw (T) t;
    }

    private void dispatch(Object argument, int event) throws Throwable {
        switch (event) {
            case SocketHooks.OPENED_CLIENT -> opened(argument, false);
            case SocketHooks.OPENED_ACCEPTED -> opened(argument, true);
            case SocketHooks.CONNECTED -> connected(argument);
            case SocketHooks.CREATED -> created(argument);
            case SocketHooks.SECURED -> secured(argument);
            case SocketHooks.END_OF_STREAM -> endOfStream(argument);
            case SocketHooks.WROTE -> wrote(argument);
            case SocketHooks.READ -> read(argument);
            case SocketHooks.INPUT_SHUTDOWN -> inputShutdown(argument);
            case SocketHooks.CLOSED -> closed(argument);
            case SocketHooks.USED_FOR_READ -> used(argument, false);
            case SocketHooks.USED_FOR_WRITE -> used(argument, true);
            case SocketHooks.WROTE_AND_USED -> wroteAndUsed(argument);
            case SocketHooks.FAILED -> hookFailed(argument instanceof Throwable t ? t : new IllegalStateException());
            default -> hookFailed(new IllegalArgumentException("unknown hook event " + event));
        }
    }
}
