package dev.closewait.instrument;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;

import java.util.List;
import java.util.Map;

import static dev.closewait.instrument.ExitHook.ACCEPTED_ARGUMENT;
import static dev.closewait.instrument.ExitHook.ASYNC_END_OF_STREAM;
import static dev.closewait.instrument.ExitHook.ASYNC_WROTE;
import static dev.closewait.instrument.ExitHook.CLOSED;
import static dev.closewait.instrument.ExitHook.CONNECTED;
import static dev.closewait.instrument.ExitHook.CONNECTED_IF_TRUE;
import static dev.closewait.instrument.ExitHook.CREATED;
import static dev.closewait.instrument.ExitHook.END_OF_STREAM;
import static dev.closewait.instrument.ExitHook.INPUT_SHUTDOWN;
import static dev.closewait.instrument.ExitHook.LOCAL_ADDRESS;
import static dev.closewait.instrument.ExitHook.OPENED_ACCEPTED;
import static dev.closewait.instrument.ExitHook.OPENED_CLIENT;
import static dev.closewait.instrument.ExitHook.SECURED;
import static dev.closewait.instrument.ExitHook.SECURED_RETURN;
import static dev.closewait.instrument.ExitHook.SSL_END_OF_STREAM;
import static dev.closewait.instrument.ExitHook.WROTE;
import static dev.closewait.instrument.MethodRule.CONSTRUCTOR;
import static dev.closewait.instrument.MethodRule.all;
import static dev.closewait.instrument.MethodRule.args;
import static dev.closewait.instrument.MethodRule.at;
import static dev.closewait.instrument.MethodRule.count;
import static dev.closewait.instrument.MethodRule.rule;

/**
 * Which JDK methods get which exit hook: every path on which a socket is opened, reads EOF, is written, shuts its
 * input down or is closed (see docs/architecture.md). Method signatures were checked on JDK 17 and 25.
 *
 * <p>Loaded only when a target class is first transformed ({@link HookTransformer} installs the transformer without
 * it): building these rules and loading ASM took 15 to 45 ms of a loaded JVM's start-up.
 *
 * <p>The hooks are inserted with the ASM that ships inside Byte Buddy, by a plain {@code ClassFileTransformer}: the
 * inserted code needs no new stack map frames, so a transformation reads and writes one class file and loads
 * nothing. Byte Buddy's AgentBuilder did the same job with about 1,000 classes of its own, which cost 0.5 to 1 s of
 * JVM start-up on a 2-core machine (docs/performance.md).
 */
public final class SocketInstrumentation {

    private static final String SOCKET_ADDRESS = "Ljava/net/SocketAddress;";
    private static final String BUFFER = "Ljava/nio/ByteBuffer;";
    private static final String FD = "Ljava/io/FileDescriptor;";

    /** Internal class name to its rules. All are java.base classes, loaded by the bootstrap loader. */
    static final Map<String, List<MethodRule>> TARGETS = Map.of(
            "sun/nio/ch/NioSocketImpl", List.of(
                    rule("connect", args(SOCKET_ADDRESS + "I"), OPENED_CLIENT),
                    rule("accept", count(1), ACCEPTED_ARGUMENT),
                    rule("read", args("[BII"), END_OF_STREAM),
                    rule("write", args("[BII"), WROTE),
                    rule("shutdownInput", count(0), INPUT_SHUTDOWN),
                    rule("close", count(0), CLOSED)),
            // Looked up by NioSocketImpl while connecting (endConnect) and accepting; the open hook reuses it.
            "sun/nio/ch/Net", List.of(
                    rule("localAddress", args(FD), LOCAL_ADDRESS)),
            "sun/nio/ch/SocketChannelImpl", List.of(
                    rule(CONSTRUCTOR, count(4), OPENED_ACCEPTED),
                    // The client constructor; the one-argument one calls it (JDK 17 and 25).
                    rule(CONSTRUCTOR, args("Ljava/nio/channels/spi/SelectorProvider;Ljava/net/ProtocolFamily;"),
                            CREATED),
                    rule("connect", args(SOCKET_ADDRESS), OPENED_CLIENT, CONNECTED_IF_TRUE),
                    rule("finishConnect", count(0), CONNECTED_IF_TRUE),
                    rule("read", args(BUFFER), END_OF_STREAM),
                    rule("read", args("[" + BUFFER + "II"), END_OF_STREAM),
                    rule("blockingRead", args("[BIIJ"), END_OF_STREAM),
                    rule("write", args(BUFFER), WROTE),
                    rule("write", args("[" + BUFFER + "II"), WROTE),
                    rule("blockingWriteFully", args("[BII"), WROTE),
                    rule("shutdownInput", count(0), INPUT_SHUTDOWN),
                    rule("implCloseSelectableChannel", count(0), CLOSED)),
            "sun/nio/ch/AsynchronousSocketChannelImpl", List.of(
                    rule("connect", at(0, SOCKET_ADDRESS), OPENED_CLIENT),
                    rule("shutdownInput", count(0), INPUT_SHUTDOWN)),
            "sun/nio/ch/UnixAsynchronousSocketChannelImpl", List.of(
                    rule(CONSTRUCTOR, count(3), OPENED_ACCEPTED),
                    rule("setConnected", count(0), CONNECTED),
                    rule("implClose", count(0), CLOSED)),
            // The overloads that take the async flag: (fd, buffer(s), …, boolean async, int, NativeDispatcher).
            "sun/nio/ch/IOUtil", List.of(
                    rule("read", all(count(7), at(0, FD), at(1, BUFFER), at(4, "Z")), ASYNC_END_OF_STREAM),
                    rule("read", all(count(8), at(0, FD), at(1, "[" + BUFFER), at(5, "Z")),
                            ASYNC_END_OF_STREAM),
                    rule("write", all(count(7), at(0, FD), at(1, BUFFER), at(4, "Z")), ASYNC_WROTE),
                    rule("write", all(count(8), at(0, FD), at(1, "[" + BUFFER), at(5, "Z")), ASYNC_WROTE)),
            "sun/security/ssl/SSLSocketImpl$AppInputStream", List.of(
                    rule("read", args("[BII"), SSL_END_OF_STREAM)),
            "sun/security/ssl/SSLSocketImpl", List.of(
                    rule("connect", args(SOCKET_ADDRESS + "I"), SECURED),
                    rule(CONSTRUCTOR, at(1, "Ljava/net/Socket;"), SECURED),
                    rule("shutdownInput", count(0), INPUT_SHUTDOWN)),
            "sun/security/ssl/SSLServerSocketImpl", List.of(
                    rule("accept", count(0), SECURED_RETURN)));

    private SocketInstrumentation() {
    }

    /** The hooked class file, or null (unchanged) for every other class. */
    static byte[] transform(String internalName, byte[] classFile) {
        List<MethodRule> rules = TARGETS.get(internalName);
        if (rules == null) {
            return null;
        }
        ClassReader reader = new ClassReader(classFile);
        // Maximum stack sizes are recomputed (hooks push a few values); frames are kept as they are.
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        ExitHookInserter inserter = new ExitHookInserter(writer, rules);
        reader.accept(inserter, 0);
        return inserter.hookedMethods() == 0 ? null : writer.toByteArray();
    }

}
