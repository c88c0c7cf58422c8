package dev.closewait.instrument;

import dev.closewait.bootstrap.SocketHooks;
import net.bytebuddy.asm.Advice;

/**
 * Inline advice, one class per event shape; {@link SocketInstrumentation} says which JDK methods each applies to.
 * The code is copied into java.base methods, so it may only call {@link SocketHooks} (on the bootstrap path) and
 * must stay tiny: read paths cost one comparison unless the read returned EOF. {@code suppress} keeps any failure
 * out of the host; {@link SocketHooks} counts the failures it catches itself.
 */
final class EventAdvice {

    private EventAdvice() {
    }

    /** A client connection was made (or is pending) on {@code this}. */
    static final class OpenedClient {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self) {
            SocketHooks.opened(self, false);
        }
    }

    /** {@code this} was constructed for an accepted connection. */
    static final class OpenedAccepted {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self) {
            SocketHooks.opened(self, true);
        }
    }

    /** {@code NioSocketImpl.accept(SocketImpl)}: the argument is the accepted socket, filled in on exit. */
    static final class AcceptedArgument {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object accepted) {
            SocketHooks.opened(accepted, true);
        }
    }

    /** A pending connection completed; addresses are known now. */
    static final class Connected {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self) {
            SocketHooks.connected(self);
        }
    }

    /** {@code SocketChannel.finishConnect()} and {@code connect()} return true once connected. */
    static final class ConnectedIfTrue {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Return boolean connected) {
            if (connected) {
                SocketHooks.connected(self);
            }
        }
    }

    /** {@code this} is an SSL socket. */
    static final class Secured {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self) {
            SocketHooks.secured(self);
        }
    }

    /** {@code SSLServerSocket.accept()} returns an SSL socket. */
    static final class SecuredReturn {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return Object accepted) {
            SocketHooks.secured(accepted);
        }
    }

    static final class EndOfStreamInt {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Return int read) {
            if (read < 0) {
                SocketHooks.endOfStream(self);
            }
        }
    }

    static final class EndOfStreamLong {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self, @Advice.Return long read) {
            if (read < 0) {
                SocketHooks.endOfStream(self);
            }
        }
    }

    /** {@code SSLSocketImpl$AppInputStream.read}: a peer's close_notify surfaces only here. */
    static final class SslEndOfStream {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.FieldValue("this$0") Object socket, @Advice.Return int read) {
            if (read < 0) {
                SocketHooks.endOfStream(socket);
            }
        }
    }

    /** {@code IOUtil.read(fd, ByteBuffer, …, async, …)}: only asynchronous socket channels pass async = true. */
    static final class AsyncEndOfStreamInt {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object fd, @Advice.Argument(4) boolean async,
                         @Advice.Return int read) {
            if (async && read < 0) {
                SocketHooks.endOfStream(fd);
            }
        }
    }

    /** {@code IOUtil.read(fd, ByteBuffer[], offset, length, …, async, …)}. */
    static final class AsyncEndOfStreamLong {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object fd, @Advice.Argument(5) boolean async,
                         @Advice.Return long read) {
            if (async && read < 0) {
                SocketHooks.endOfStream(fd);
            }
        }
    }

    static final class Wrote {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self) {
            SocketHooks.wrote(self);
        }
    }

    static final class AsyncWroteInt {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object fd, @Advice.Argument(4) boolean async) {
            if (async) {
                SocketHooks.wrote(fd);
            }
        }
    }

    static final class AsyncWroteLong {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Argument(0) Object fd, @Advice.Argument(5) boolean async) {
            if (async) {
                SocketHooks.wrote(fd);
            }
        }
    }

    static final class InputShutdown {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object self) {
            SocketHooks.inputShutdown(self);
        }
    }

    /** Also on a throwing close: the descriptor is released either way. */
    static final class Closed {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Object self) {
            SocketHooks.closed(self);
        }
    }
}
