package dev.closewait.report;

import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakKind;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;

import java.util.List;

/** The text of log reports: one headline a human can act on, then the stacks. */
public final class LeakText {

    private final int stackDepth;

    public LeakText(int stackDepth) {
        this.stackDepth = stackDepth;
    }

    public String leak(Leak leak) {
        StringBuilder text = new StringBuilder(1024);
        text.append("Leaked socket #").append(leak.id()).append(" (").append(leak.kind().id()).append("): ")
                .append(describe(leak)).append(". ");
        if (leak.kind() == LeakKind.EOF_NOT_CLOSED) {
            text.append("The peer closed the connection; EOF was read ")
                    .append(Durations.human(leak.sinceEndOfStreamNanos())).append(" ago on thread \"")
                    .append(leak.endOfStream().thread()).append("\" but close() was never called");
        } else {
            text.append("It was garbage-collected without close()");
            if (leak.hasEndOfStream()) {
                text.append(" after reading EOF on thread \"").append(leak.endOfStream().thread()).append('"');
            }
            text.append(leak.type() == SocketType.SOCKET_CHANNEL || leak.type() == SocketType.ASYNC_SOCKET_CHANNEL
                    ? "; channels have no cleaner, so its file descriptor stays open until the process exits"
                    : "; the JDK's cleaner released its file descriptor, but only because the garbage collector ran");
        }
        text.append("; open for ").append(Durations.human(leak.ageNanos())).append('.');
        appendStack(text, (leak.accepted() ? "Accepted" : "Connected") + " on thread \"" + leak.openThread() + "\" at:",
                StackFrames.of(leak.allocation(), stackDepth));
        if (leak.hasEndOfStream()) {
            appendStack(text, "EOF read at:", StackFrames.of(leak.endOfStream().site(), stackDepth));
        }
        return text.toString();
    }

    public String outcome(LeakOutcome outcome) {
        Leak leak = outcome.leak();
        String what = "Previously reported leaked socket #" + leak.id() + " (" + leak.kind().id() + ", "
                + describe(leak) + ")";
        if (outcome.kind() == LeakOutcome.Kind.CLOSED) {
            return what + " was closed " + Durations.human(outcome.leakedForNanos()) + " after the report, on thread \""
                    + outcome.thread() + "\".";
        }
        return what + " was garbage-collected without close() " + Durations.human(outcome.leakedForNanos())
                + " after the report.";
    }

    /** {@code java.net.Socket accepted 127.0.0.1:8080 <- 127.0.0.1:51234, fd 17}. */
    static String describe(Leak leak) {
        Endpoints endpoints = leak.endpoints();
        String local = orUnknown(Endpoints.format(endpoints.local()));
        String remote = orUnknown(Endpoints.format(endpoints.remote()));
        String arrow = leak.accepted() ? " <- " : " -> ";
        return leak.type().displayName() + " " + leak.role() + " " + local + arrow + remote
                + (endpoints.fd() >= 0 ? ", fd " + endpoints.fd() : "");
    }

    private static String orUnknown(String address) {
        return address == null ? "?" : address;
    }

    private static void appendStack(StringBuilder text, String title, List<String> frames) {
        text.append(System.lineSeparator()).append("  ").append(title);
        for (String frame : frames) {
            text.append(System.lineSeparator()).append("    at ").append(frame);
        }
    }
}
