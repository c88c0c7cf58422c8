package dev.closewait.bootstrap;

import java.util.function.ObjIntConsumer;

/**
 * What the hooks report, implemented by the agent. The hooks in java.base know only the JDK's {@link ObjIntConsumer}
 * (the hook's argument and an event code of {@link SocketHooks}); {@link #accept} turns those into the calls below.
 * The {@code socket} argument is whatever object the instrumented JDK method had at hand (a socket impl, a channel,
 * an SSL socket or a file descriptor); the agent decides which tracked socket it means.
 */
public interface SocketEventListener extends ObjIntConsumer<Object> {

    void opened(Object socket, boolean accepted);

    void connected(Object socket);

    void secured(Object sslSocket);

    void endOfStream(Object socket);

    void wrote(Object socket);

    void inputShutdown(Object socket);

    void closed(Object socket);

    /** A hook caught this; the agent counts and logs it. Must not throw. */
    void hookFailed(Throwable failure);

    /** One event from the hooks: {@code event} is one of {@link SocketHooks}' codes. */
    @Override
    default void accept(Object argument, int event) {
        switch (event) {
            case SocketHooks.OPENED_CLIENT -> opened(argument, false);
            case SocketHooks.OPENED_ACCEPTED -> opened(argument, true);
            case SocketHooks.CONNECTED -> connected(argument);
            case SocketHooks.SECURED -> secured(argument);
            case SocketHooks.END_OF_STREAM -> endOfStream(argument);
            case SocketHooks.WROTE -> wrote(argument);
            case SocketHooks.INPUT_SHUTDOWN -> inputShutdown(argument);
            case SocketHooks.CLOSED -> closed(argument);
            case SocketHooks.FAILED -> hookFailed(argument instanceof Throwable t ? t : new IllegalStateException());
            default -> hookFailed(new IllegalArgumentException("unknown hook event " + event));
        }
    }
}
