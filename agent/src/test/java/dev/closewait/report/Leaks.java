package dev.closewait.report;

import dev.closewait.core.CallSite;
import dev.closewait.core.Creation;
import dev.closewait.core.EndOfStream;
import dev.closewait.core.LastUse;
import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakKind;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Leaks with every field chosen by the test. By default: socket #42, accepted on "acceptor" at 2023-11-14T22:13:20Z,
 * EOF read on "reader" 2.5s later, reported 30s after that.
 */
final class Leaks {

    /** 2023-11-14T22:13:20Z. */
    static final long BASE_EPOCH_MILLIS = 1_700_000_000_000L;
    static final long OPENED_NANOS = 5_000_000_000L;
    static final long EOF_NANOS = OPENED_NANOS + 2_500_000_000L;
    static final long DETECTED_NANOS = EOF_NANOS + 30_000_000_000L;
    static final InetSocketAddress LOCAL = address(127, 0, 0, 1, 8080);
    static final InetSocketAddress REMOTE = address(10, 0, 0, 2, 51234);

    LeakKind kind = LeakKind.EOF_NOT_CLOSED;
    long id = 42;
    SocketType type = SocketType.SOCKET;
    boolean accepted = true;
    Endpoints endpoints = new Endpoints(17, LOCAL, REMOTE);
    String openThread = "acceptor";
    String eofThread = "reader";
    boolean endOfStream = true;
    long openedNanos = OPENED_NANOS;
    long openedEpochMillis = BASE_EPOCH_MILLIS;
    long kernelSinceEpochMillis = -1;
    LastUse lastUse;
    boolean reconnectedSinceUse;
    Creation creation;
    CallSite allocation = callSite(
            frame("dev.closewait.bootstrap.SocketHooks", "accepted", "SocketHooks.java", 41),
            frame("dev.closewait.core.SocketTracker", "opened", "SocketTracker.java", 47),
            frame("sun.nio.ch.NioSocketImpl", "accept", "NioSocketImpl.java", 760),
            frame("java.net.ServerSocket", "accept", "ServerSocket.java", 629),
            frame("com.acme.server.Acceptor", "run", "Acceptor.java", 33),
            frame("java.lang.Thread", "run", "Thread.java", 840));
    CallSite eofSite = callSite(
            frame("dev.closewait.jdk.JdkSocketEvents", "read", "JdkSocketEvents.java", 88),
            frame("sun.nio.ch.NioSocketImpl", "read", "NioSocketImpl.java", 308),
            frame("java.net.Socket$SocketInputStream", "read", "Socket.java", 966),
            frame("com.acme.server.Handler", "serve", "Handler.java", 57));

    static Leaks eofNotClosed() {
        return new Leaks();
    }

    static Leaks gcNotClosed() {
        Leaks leaks = new Leaks();
        leaks.kind = LeakKind.GC_NOT_CLOSED;
        leaks.endOfStream = false;
        return leaks;
    }

    /** The kernel showed it in CLOSE_WAIT for the last 30s; it never read EOF. */
    static Leaks closeWait() {
        return new Leaks().kind(LeakKind.CLOSE_WAIT).withEndOfStream(false).kernelSince(30_000);
    }

    /** The kernel dropped the connection 12s before the report; it never read EOF. */
    static Leaks resetNotClosed() {
        return new Leaks().kind(LeakKind.RESET_NOT_CLOSED).withEndOfStream(false).kernelSince(12_000);
    }

    /**
     * A CLOSE_WAIT socket only the kernel knew, as the kernel view reports it: no allocation stack, opening thread
     * or open time, and type unknown.
     */
    static Leaks allocationUnknown() {
        Leaks leaks = closeWait().type(SocketType.UNKNOWN);
        leaks.allocation = null;
        leaks.openThread = null;
        leaks.openedNanos = DETECTED_NANOS;
        leaks.openedEpochMillis = -1;
        return leaks;
    }

    Leaks kind(LeakKind kind) {
        this.kind = kind;
        return this;
    }

    Leaks type(SocketType type) {
        this.type = type;
        return this;
    }

    /** The kernel first showed the leaking state this long before the report. */
    Leaks kernelSince(long millisBeforeReport) {
        this.kernelSinceEpochMillis = BASE_EPOCH_MILLIS + 32_500 - millisBeforeReport;
        return this;
    }

    Leaks client() {
        this.accepted = false;
        return this;
    }

    Leaks endpoints(Endpoints endpoints) {
        this.endpoints = endpoints;
        return this;
    }

    Leaks threads(String openThread, String eofThread) {
        this.openThread = openThread;
        this.eofThread = eofThread;
        return this;
    }

    Leaks withEndOfStream(boolean endOfStream) {
        this.endOfStream = endOfStream;
        return this;
    }

    /** Last used (a write on "worker") 1s after opening, at these frames. */
    Leaks lastUsedAt(StackTraceElement... frames) {
        this.lastUse = new LastUse(OPENED_NANOS + 1_000_000_000L, "worker", true, callSite(frames));
        return this;
    }

    /** A newer connection to the same peer was opened after the last use: the pool could not reuse this one. */
    Leaks reconnected() {
        this.reconnectedSinceUse = true;
        return this;
    }

    Leaks eofAt(StackTraceElement... frames) {
        this.eofSite = callSite(frames);
        return this;
    }

    /**
     * Adaptive capture: this socket's own stacks were not recorded; {@code frames} is where socket {@code socketId}
     * of the same site was opened.
     */
    Leaks standingInFor(long socketId, StackTraceElement... frames) {
        this.allocation = dev.closewait.core.StandIns.of(callSite(frames), socketId);
        this.eofSite = CallSite.NOT_SAMPLED;
        this.lastUse = null;
        return this;
    }

    /** Stacks left out by {@code stack-sample}: the agent saw the socket opened but recorded none of its stacks. */
    Leaks sampledOut() {
        this.allocation = CallSite.NOT_SAMPLED;
        this.eofSite = CallSite.NOT_SAMPLED;
        this.lastUse = null;
        return this;
    }

    /** A client channel created on "main" 1 ms before it was connected (on another thread), at these frames. */
    Leaks createdAt(StackTraceElement... frames) {
        this.creation = new Creation(openedNanos - 1_000_000L, "main", callSite(frames));
        return this;
    }

    /** A client channel created on {@code thread} 1 ms before it was connected, at these frames. */
    Leaks createdOn(String thread, StackTraceElement... frames) {
        this.creation = new Creation(openedNanos - 1_000_000L, thread, callSite(frames));
        return this;
    }

    Leaks allocatedAt(StackTraceElement... frames) {
        this.allocation = callSite(frames);
        return this;
    }

    Leak build() {
        EndOfStream eof = endOfStream ? new EndOfStream(EOF_NANOS, eofThread, eofSite) : null;
        return new Leak(kind, id, type, accepted, endpoints, openThread, openedNanos, openedEpochMillis,
                allocation, eof, endOfStream ? BASE_EPOCH_MILLIS + 2_500 : -1,
                DETECTED_NANOS, BASE_EPOCH_MILLIS + 32_500, kernelSinceEpochMillis, lastUse,
                lastUse == null ? -1 : BASE_EPOCH_MILLIS + 1_000, reconnectedSinceUse, creation);
    }

    /** {@code leak} closed on "closer" (or collected) {@code afterMillis} after its report. */
    static LeakOutcome outcome(Leak leak, LeakOutcome.Kind kind, long afterMillis) {
        return new LeakOutcome(leak, kind, leak.detectedNanos() + afterMillis * 1_000_000L,
                leak.detectedEpochMillis() + afterMillis, kind == LeakOutcome.Kind.CLOSED ? "closer" : null);
    }

    static StackTraceElement frame(String className, String method, String file, int line) {
        return new StackTraceElement(className, method, file, line);
    }

    static CallSite callSite(StackTraceElement... frames) {
        CallSite site = new CallSite();
        site.setStackTrace(frames);
        return site;
    }

    static InetSocketAddress address(int a, int b, int c, int d, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[]{(byte) a, (byte) b, (byte) c, (byte) d}),
                    port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress ipv6Loopback(int port) {
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        try {
            return new InetSocketAddress(InetAddress.getByAddress(loopback), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
