package dev.closewait.report;

import dev.closewait.text.SafeText;
import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;
import dev.closewait.core.TcpState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text of log reports: one line a human can act on (what leaked, what happened, the site, the hint), and the
 * text form of the stacks, last use first, with long runs of framework frames folded into one line.
 */
public final class LeakText {

    private final int stackDepth;
    private final Sites sites;

    public LeakText(int stackDepth) {
        this(stackDepth, Sites.DEFAULT);
    }

    /** Frames shown per stack. */
    public int stackDepth() {
        return stackDepth;
    }

    /** @param sites which frames are the application's, for the site and for folding */
    public LeakText(int stackDepth, Sites sites) {
        this.stackDepth = stackDepth;
        this.sites = sites;
    }

    /** The one-line message: headline, site and hint, host strings escaped so it stays one line. */
    public String message(Leak leak) {
        String hint = Hints.forLeak(leak);
        return headline(leak) + (hint == null ? "" : " Hint: " + hint);
    }

    /**
     * The facts of the message as key-value pairs, for SLF4J 2's structured logging: kind, id, type, role, fd,
     * local, remote, site, thread and hint (its section id); values are strings or numbers, null where unknown.
     */
    public Map<String, Object> keyValues(Leak leak) {
        Map<String, Object> pairs = new LinkedHashMap<>();
        pairs.put("kind", leak.kind().id());
        pairs.put("id", leak.id());
        pairs.put("type", leak.type().displayName());
        pairs.put("role", leak.role());
        pairs.put("fd", leak.endpoints().fd());
        pairs.put("local", Endpoints.format(leak.endpoints().local()));
        pairs.put("remote", Endpoints.format(leak.endpoints().remote()));
        pairs.put("site", sites.site(leak));
        pairs.put("thread", leak.thread());
        Hints.Hint hint = Hints.hintFor(leak);
        pairs.put("hint", hint == null ? null : hint.id());
        return pairs;
    }

    /** Whether the reports show where {@code leak}'s channel was created (see {@link Sites#showsCreation}). */
    public boolean showsCreation(Leak leak) {
        return sites.showsCreation(leak);
    }

    /** The site the reports name (see {@link Sites#site}), or null. */
    public String site(Leak leak) {
        return sites.site(leak);
    }

    /**
     * One line. Each host-controlled part is made safe on its own (a thread name by {@link SafeText#quotedName},
     * the rest by {@link SafeText#escape}) rather than the whole line at the end, which would escape the backslash
     * of a quoted name's {@code \"} again and let the name close its quotes.
     */
    private String headline(Leak leak) {
        StringBuilder text = new StringBuilder(256);
        text.append("Leaked socket #").append(leak.id()).append(" (").append(leak.kind().id()).append("): ")
                .append(SafeText.escape(describe(leak))).append(". ").append(whatHappened(leak));
        if (leak.ageNanos() >= 0) {
            text.append("; open for ").append(Durations.human(leak.ageNanos()));
        }
        text.append('.');
        StackTraceElement site = sites.siteFrame(leak);
        if (site != null) {
            text.append(" Site").append(siteQualifier(leak, sites.isApplication(site.getClassName()))).append(": ")
                    .append(SafeText.escape(StackFrames.format(site))).append('.');
        }
        return text.toString();
    }

    /**
     * What the headline says of a site that is not simply where this socket's own code is: one taken from another
     * socket of the same site (adaptive capture recorded none of this one's stacks), or a library's frame (no
     * application frame in the recorded stacks). Either way a reader must not take it for the guilty line as is: the
     * first is the code that opened another connection to the same peer or port (found with one method closing
     * its sockets and another leaking them, both to one peer, 2026-12-01), the second names the library the
     * application called.
     */
    private static String siteQualifier(Leak leak, boolean application) {
        StringBuilder qualifier = new StringBuilder();
        if (leak.allocationFrom() >= 0 && !leak.hasLastUse()) {
            qualifier.append(" of socket #").append(leak.allocationFrom()).append(", opened ")
                    .append(leak.accepted() ? "on the same listening port" : "to the same peer")
                    .append(" (this socket's own stacks were not recorded; closewait records every socket of this "
                            + "site again from now on");
        }
        if (!application) {
            qualifier.append(qualifier.length() == 0 ? " (" : "; ")
                    .append("no application frame in the recorded stacks: the first frame of library or JDK code");
        }
        return qualifier.length() == 0 ? "" : qualifier.append(')').toString();
    }

    /** The text form: the one-line headline, the hint on its own line, then the stacks (last use first). */
    public String leak(Leak leak) {
        StringBuilder text = new StringBuilder(1024).append(headline(leak));
        String hint = Hints.forLeak(leak);
        if (hint != null) {
            text.append(System.lineSeparator()).append("  Hint: ").append(hint);
        }
        if (leak.stacksSampledOut()) {
            text.append(System.lineSeparator()).append("  Stacks not recorded: with stack-sample set, closewait records "
                    + "the allocation and EOF stacks of one socket in N; this one was not among them.");
            return text.toString();
        }
        if (leak.hasLastUse()) {
            appendStack(text, "Last used (" + (leak.lastUse().write() ? "write" : "read") + ") on thread "
                    + SafeText.quotedName(leak.lastUse().thread()) + " at:", leak.lastUse().site());
        }
        if (leak.allocationFrom() >= 0) {
            appendStack(text, (leak.accepted() ? "Accepted" : "Connected") + " on thread "
                    + SafeText.quotedName(leak.openThread()) + "; its own stacks were not recorded (this site had "
                    + "closed its sockets in time), so here is where socket #" + leak.allocationFrom()
                    + " of the same site was opened:", leak.allocation());
            if (sites.showsCreation(leak)) {
                appendStack(text, "and where socket #" + leak.allocationFrom() + " was created, on thread "
                        + SafeText.quotedName(leak.creation().thread()) + ":", leak.creation().site());
            }
        } else if (leak.allocationKnown()) {
            appendStack(text, (leak.accepted() ? "Accepted" : "Connected") + " on thread "
                    + SafeText.quotedName(leak.openThread()) + " at:", leak.allocation());
            if (sites.showsCreation(leak)) {
                appendStack(text, "Created on thread " + SafeText.quotedName(leak.creation().thread()) + " at:",
                        leak.creation().site());
            }
        } else {
            text.append(System.lineSeparator()).append("  Allocation unknown: closewait did not see this socket opened "
                    + "(it was opened before closewait started or attached, or by a path closewait does not instrument, "
                    + "such as Netty's native transports).");
        }
        if (leak.hasEndOfStream() && leak.allocationFrom() < 0) {
            appendStack(text, "EOF read at:", leak.endOfStream().site());
        }
        return text.toString();
    }

    private static String whatHappened(Leak leak) {
        long sinceKernel = leak.kernelSinceEpochMillis() < 0 ? -1
                : (leak.detectedEpochMillis() - leak.kernelSinceEpochMillis()) * 1_000_000L;
        return switch (leak.kind()) {
            case EOF_NOT_CLOSED -> "The peer closed the connection; EOF was read "
                    + Durations.human(leak.sinceEndOfStreamNanos()) + " ago on thread "
                    + SafeText.quotedName(leak.endOfStream().thread()) + " but close() was never called";
            // A socket closewait never saw opened may have been read through a path it does not instrument (Netty's
            // native epoll transport reads EOF there): only "not closed" is known (new-user trial, 2026-12-01).
            // "At least": the time since closewait first saw the state; a socket found already in CLOSE_WAIT (before
            // an attach, say) had been there longer (new-user trial, 2026-12-02).
            case CLOSE_WAIT -> "The peer closed the connection: the kernel has shown it in CLOSE_WAIT for at least "
                    + Durations.human(sinceKernel) + (leak.allocation() == null
                    // "Stopped reading": a read of data in CLOSE_WAIT defers the report (SocketTracker.read), so the
                    // application did not read from it for the grace period; it may have read before.
                    ? ", but the application has not closed it" : ", but the application stopped reading from it "
                    + "without closing it");
            case RESET_NOT_CLOSED -> "The connection is gone (reset by the peer, or closed both ways; the kernel "
                    + "dropped it " + Durations.human(sinceKernel) + " ago) but close() was never called, so its file descriptor "
                    + "stays open";
            case GC_NOT_CLOSED -> "It was garbage-collected without close()"
                    + (leak.hasEndOfStream()
                    ? " after reading EOF on thread " + SafeText.quotedName(leak.endOfStream().thread()) : "")
                    + (leak.type().keepsDescriptorWhenCollected()
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
            return SafeText.escape(what + " was garbage-collected without close() " + after + ".");
        }
        // The thread is unknown when the kernel saw the descriptor go (a socket the agent never saw opened).
        return SafeText.escape(what + " was closed " + after)
                + (outcome.thread() == null ? "." : ", on thread " + SafeText.quotedName(outcome.thread()) + ".");
    }

    /** {@code java.net.Socket accepted 127.0.0.1:8080 <- 127.0.0.1:51234, fd 17}. */
    static String describe(Leak leak) {
        Endpoints endpoints = leak.endpoints();
        String local = orUnknown(Endpoints.format(endpoints.local()));
        String remote = orUnknown(Endpoints.format(endpoints.remote()));
        String arrow = leak.accepted() ? " <- " : " -> ";
        String type = leak.type() == SocketType.UNKNOWN ? "socket (type unknown)" : leak.type().displayName();
        return type + " " + leak.role() + " " + local + arrow + remote
                + (endpoints.fd() >= 0 ? ", fd " + endpoints.fd() : "");
    }

    private static String orUnknown(String address) {
        return address == null ? "?" : address;
    }

    private void appendStack(StringBuilder text, String title, Throwable stack) {
        text.append(System.lineSeparator()).append("  ").append(title);
        for (String line : StackFrames.textLines(stack, stackDepth, sites)) {
            text.append(System.lineSeparator()).append("    ").append(SafeText.escape(line));
        }
    }
}
