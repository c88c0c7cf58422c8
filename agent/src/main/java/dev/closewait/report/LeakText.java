package dev.closewait.report;

import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;
import dev.closewait.core.TcpState;
import dev.closewait.text.SafeText;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The text of log reports: one headline a human can act on, then the stacks. */
public final class LeakText {

    private final int stackDepth;

    public LeakText(int stackDepth) {
        this.stackDepth = stackDepth;
    }

    /** Frames shown per stack. */
    public int stackDepth() {
        return stackDepth;
    }

    public String leak(Leak leak) {
        StringBuilder text = new StringBuilder(1024);
        text.append("Leaked socket #").append(leak.id()).append(" (").append(leak.kind().id()).append("): ")
                .append(describe(leak)).append(". ").append(whatHappened(leak));
        if (leak.ageNanos() >= 0) {
            text.append("; open for ").append(Durations.human(leak.ageNanos()));
        }
        text.append('.');
        String hint = Hints.forLeak(leak);
        if (hint != null) {
            text.append(System.lineSeparator()).append("  Hint: ").append(hint);
        }
        if (leak.stacksSampledOut()) {
            text.append(System.lineSeparator()).append("  Stacks not recorded: with stack-sample set, closewait records "
                    + "the allocation and EOF stacks of one socket in N; this one was not among them.");
        } else if (leak.allocationKnown()) {
            appendStack(text, (leak.accepted() ? "Accepted" : "Connected") + " on thread \""
                    + SafeText.escape(leak.openThread()) + "\" at:", StackFrames.of(leak.allocation(), stackDepth));
        } else {
            text.append(System.lineSeparator()).append("  Allocation unknown: closewait did not see this socket opened "
                    + "(it was opened before closewait started or attached, or by a path closewait does not instrument).");
        }
        if (leak.hasEndOfStream() && !leak.stacksSampledOut()) {
            appendStack(text, "EOF read at:", StackFrames.of(leak.endOfStream().site(), stackDepth));
        }
        return text.toString();
    }

    private static String whatHappened(Leak leak) {
        long sinceKernel = leak.kernelSinceEpochMillis() < 0 ? -1
                : (leak.detectedEpochMillis() - leak.kernelSinceEpochMillis()) * 1_000_000L;
        return switch (leak.kind()) {
            case EOF_NOT_CLOSED -> "The peer closed the connection; EOF was read "
                    + Durations.human(leak.sinceEndOfStreamNanos()) + " ago on thread \""
                    + SafeText.escape(leak.endOfStream().thread())
                    + "\" but close() was never called";
            case CLOSE_WAIT -> "The peer closed the connection: the kernel has shown it in CLOSE_WAIT for "
                    + Durations.human(sinceKernel) + ", but the application never read from it again nor closed it";
            case RESET_NOT_CLOSED -> "The connection is gone (the peer reset it; the kernel dropped it "
                    + Durations.human(sinceKernel) + " ago) but close() was never called, so its file descriptor "
                    + "stays open";
            case GC_NOT_CLOSED -> "It was garbage-collected without close()"
                    + (leak.hasEndOfStream()
                    ? " after reading EOF on thread \"" + SafeText.escape(leak.endOfStream().thread()) + '"' : "")
                    + (leak.type() == SocketType.SOCKET_CHANNEL || leak.type() == SocketType.ASYNC_SOCKET_CHANNEL
                    ? "; channels have no cleaner, so its file descriptor stays open until the process exits"
                    : "; the JDK released its file descriptor (cleaner or finalizer), but only because the garbage "
                    + "collector ran");
        };
    }

    /** One line: how many of this process's TCP sockets are in each state. */
    public String socketStates(Map<TcpState, Integer> counts) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        if (total == 0) {
            return "This process has no TCP sockets.";
        }
        return "This process has " + total + (total == 1 ? " TCP socket: " : " TCP sockets: ") + counts.entrySet()
                .stream().map(entry -> entry.getValue() + " " + entry.getKey()).collect(Collectors.joining(", ")) + ".";
    }

    public String outcome(LeakOutcome outcome) {
        Leak leak = outcome.leak();
        String what = "Previously reported leaked socket #" + leak.id() + " (" + leak.kind().id() + ", "
                + describe(leak) + ")";
        String after = Durations.human(outcome.leakedForNanos()) + " after the report";
        if (outcome.kind() == LeakOutcome.Kind.COLLECTED) {
            return what + " was garbage-collected without close() " + after + ".";
        }
        // The thread is unknown when the kernel saw the descriptor go (a socket the agent never saw opened).
        return what + " was closed " + after
                + (outcome.thread() == null ? "." : ", on thread \"" + SafeText.escape(outcome.thread()) + "\".");
    }

    /** {@code java.net.Socket accepted 127.0.0.1:8080 <- 127.0.0.1:51234, fd 17}. */
    static String describe(Leak leak) {
        Endpoints endpoints = leak.endpoints();
        String local = SafeText.escape(orUnknown(Endpoints.format(endpoints.local())));
        String remote = SafeText.escape(orUnknown(Endpoints.format(endpoints.remote())));
        String arrow = leak.accepted() ? " <- " : " -> ";
        String type = leak.type() == SocketType.UNKNOWN ? "socket (type unknown)" : leak.type().displayName();
        return type + " " + leak.role() + " " + local + arrow + remote
                + (endpoints.fd() >= 0 ? ", fd " + endpoints.fd() : "");
    }

    private static String orUnknown(String address) {
        return address == null ? "?" : address;
    }

    private static void appendStack(StringBuilder text, String title, List<String> frames) {
        text.append(System.lineSeparator()).append("  ").append(title);
        for (String frame : frames) {
            text.append(System.lineSeparator()).append("    at ").append(SafeText.escape(frame));
        }
    }
}
