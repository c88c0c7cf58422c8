package dev.closewait.instrument;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Which JDK methods get which advice: every path on which a socket is opened, reads EOF, is written, shuts its input
 * down or is closed (see docs/architecture.md). Method signatures were checked on JDK 17 and 25.
 */
public final class SocketInstrumentation {

    private SocketInstrumentation() {
    }

    /**
     * Installs the advice and retransforms the classes already loaded. Problems with single classes go to
     * {@code onError} (class name, cause); they never stop the others.
     */
    public static void install(Instrumentation instrumentation, BiConsumer<String, Throwable> onError) {
        // Byte Buddy's Nexus serves loaded-type initializers, which inline advice never has; setting it up probes
        // sun.misc.Unsafe, which JDK 24+ warns about on the application's stderr. Shading relocates the property
        // name into the agent's own namespace, so a Byte Buddy of the application's is not affected.
        if (System.getProperty(Nexus.PROPERTY) == null) {
            System.setProperty(Nexus.PROPERTY, "true");
        }
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                // Inline advice adds no classes, so nothing is injected; the default strategy would probe
                // sun.misc.Unsafe, which JDK 24+ warns about on the application's stderr.
                .with(AgentBuilder.InjectionStrategy.Disabled.INSTANCE)
                .with(new ErrorListener(onError))
                // The default ignores JDK classes, which are exactly the ones to transform.
                .ignore(none())
                .type(named("sun.nio.ch.NioSocketImpl")).transform((builder, type, loader, module, domain) -> builder
                        .visit(advice(EventAdvice.OpenedClient.class,
                                named("connect").and(takesArguments(SocketAddress.class, int.class))))
                        .visit(advice(EventAdvice.AcceptedArgument.class, named("accept").and(takesArguments(1))))
                        .visit(advice(EventAdvice.EndOfStreamInt.class, readBytes()))
                        .visit(advice(EventAdvice.Wrote.class,
                                named("write").and(takesArguments(byte[].class, int.class, int.class))))
                        .visit(advice(EventAdvice.InputShutdown.class, named("shutdownInput").and(takesArguments(0))))
                        .visit(advice(EventAdvice.Closed.class, named("close").and(takesArguments(0)))))
                .type(named("sun.nio.ch.SocketChannelImpl")).transform((builder, type, loader, module, domain) -> builder
                        .visit(advice(EventAdvice.OpenedAccepted.class, isConstructor().and(takesArguments(4))))
                        .visit(advice(EventAdvice.OpenedClient.class,
                                named("connect").and(takesArguments(SocketAddress.class))))
                        .visit(advice(EventAdvice.ConnectedIfTrue.class,
                                named("connect").and(takesArguments(SocketAddress.class))))
                        .visit(advice(EventAdvice.ConnectedIfTrue.class, named("finishConnect").and(takesArguments(0))))
                        .visit(advice(EventAdvice.EndOfStreamInt.class,
                                named("read").and(takesArguments(ByteBuffer.class))))
                        .visit(advice(EventAdvice.EndOfStreamLong.class,
                                named("read").and(takesArguments(ByteBuffer[].class, int.class, int.class))))
                        .visit(advice(EventAdvice.EndOfStreamInt.class,
                                named("blockingRead").and(takesArguments(byte[].class, int.class, int.class, long.class))))
                        .visit(advice(EventAdvice.Wrote.class, named("write").and(takesArguments(ByteBuffer.class))))
                        .visit(advice(EventAdvice.Wrote.class,
                                named("write").and(takesArguments(ByteBuffer[].class, int.class, int.class))))
                        .visit(advice(EventAdvice.Wrote.class,
                                named("blockingWriteFully").and(takesArguments(byte[].class, int.class, int.class))))
                        .visit(advice(EventAdvice.InputShutdown.class, named("shutdownInput").and(takesArguments(0))))
                        .visit(advice(EventAdvice.Closed.class,
                                named("implCloseSelectableChannel").and(takesArguments(0)))))
                .type(named("sun.nio.ch.AsynchronousSocketChannelImpl")).transform((builder, type, loader, module, domain) -> builder
                        .visit(advice(EventAdvice.OpenedClient.class,
                                named("connect").and(takesArgument(0, SocketAddress.class))))
                        .visit(advice(EventAdvice.InputShutdown.class, named("shutdownInput").and(takesArguments(0)))))
                .type(named("sun.nio.ch.UnixAsynchronousSocketChannelImpl")).transform((builder, type, loader, module, domain) -> builder
                        .visit(advice(EventAdvice.OpenedAccepted.class, isConstructor().and(takesArguments(3))))
                        .visit(advice(EventAdvice.Connected.class, named("setConnected").and(takesArguments(0))))
                        .visit(advice(EventAdvice.Closed.class, named("implClose").and(takesArguments(0)))))
                .type(named("sun.nio.ch.IOUtil")).transform((builder, type, loader, module, domain) -> builder
                        .visit(advice(EventAdvice.AsyncEndOfStreamInt.class, ioUtil("read", ByteBuffer.class)))
                        .visit(advice(EventAdvice.AsyncEndOfStreamLong.class, ioUtil("read", ByteBuffer[].class)))
                        .visit(advice(EventAdvice.AsyncWroteInt.class, ioUtil("write", ByteBuffer.class)))
                        .visit(advice(EventAdvice.AsyncWroteLong.class, ioUtil("write", ByteBuffer[].class))))
                .type(named("sun.security.ssl.SSLSocketImpl$AppInputStream")).transform((builder, type, loader, module, domain) -> builder
                        .visit(advice(EventAdvice.SslEndOfStream.class, readBytes())))
                .type(named("sun.security.ssl.SSLSocketImpl")).transform((builder, type, loader, module, domain) -> builder
                        .visit(advice(EventAdvice.Secured.class,
                                named("connect").and(takesArguments(SocketAddress.class, int.class))))
                        .visit(advice(EventAdvice.Secured.class,
                                isConstructor().and(takesArgument(1, Socket.class))))
                        .visit(advice(EventAdvice.InputShutdown.class, named("shutdownInput").and(takesArguments(0)))))
                .type(named("sun.security.ssl.SSLServerSocketImpl")).transform((builder, type, loader, module, domain) -> builder
                        .visit(advice(EventAdvice.SecuredReturn.class, named("accept").and(takesArguments(0)))))
                .installOn(instrumentation);
    }

    private static ElementMatcher.Junction<MethodDescription> readBytes() {
        return named("read").and(takesArguments(byte[].class, int.class, int.class));
    }

    /** The IOUtil overload that takes the async flag: (fd, buffer(s), …, boolean async, int, NativeDispatcher). */
    private static ElementMatcher.Junction<MethodDescription> ioUtil(String name, Class<?> buffers) {
        return buffers == ByteBuffer.class
                ? named(name).and(takesArguments(7)).and(takesArgument(0, FileDescriptor.class))
                        .and(takesArgument(1, ByteBuffer.class)).and(takesArgument(4, boolean.class))
                : named(name).and(takesArguments(8)).and(takesArgument(0, FileDescriptor.class))
                        .and(takesArgument(1, ByteBuffer[].class)).and(takesArgument(5, boolean.class));
    }

    private static net.bytebuddy.asm.AsmVisitorWrapper advice(Class<?> adviceClass,
                                                              ElementMatcher<? super MethodDescription> methods) {
        return Advice.to(adviceClass).on(methods);
    }

    /** Reports transformation failures; everything else Byte Buddy says is not of interest. */
    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        private final BiConsumer<String, Throwable> onError;

        ErrorListener(BiConsumer<String, Throwable> onError) {
            this.onError = onError;
        }

        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            onError.accept(typeName, throwable);
        }

        @Override
        public void onTransformation(TypeDescription typeDescription, ClassLoader classLoader, JavaModule module,
                                     boolean loaded, DynamicType dynamicType) {
            // nothing: success is the normal case
        }
    }
}
