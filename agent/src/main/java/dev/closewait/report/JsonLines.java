package dev.closewait.report;

import dev.closewait.core.CallSite;
import dev.closewait.core.Churn;
import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import dev.closewait.core.LeakOutcome;
import dev.closewait.core.SocketType;
import dev.closewait.core.Suspect;

import java.time.Instant;

/** The JSON Lines form of events, as documented in docs/report-format.md. */
public final class JsonLines {

    private final int stackDepth;
    private final Sites sites;

    public JsonLines(int stackDepth) {
        this(stackDepth, Sites.DEFAULT);
    }

    /** @param sites which frames are the application's, for the {@code site} field */
    public JsonLines(int stackDepth, Sites sites) {
        this.stackDepth = stackDepth;
        this.sites = sites;
    }

    public String leak(Leak leak) {
        return leakFields(new JsonObject().field("event", "leak"), leak);
    }

    /** A current suspect, for the report command: a leak event with its status (leaked or pending). */
    public String suspect(Suspect suspect) {
        return leakFields(new JsonObject().field("event", "suspect").field("status", suspect.status().id()),
                suspect.leak());
    }

    /**
     * A current suspect asked about at {@code nowNanos} (the detector clock's monotonic time): as {@link
     * #suspect(Suspect)}, with {@code openForMs}, how long the socket has been open at the time of asking (-1 when
     * the agent never saw it opened), while {@code ageMs} stays the age at detection.
     */
    public String suspect(Suspect suspect, long nowNanos) {
        long openFor = SuspectTable.openForNanos(suspect.leak(), nowNanos);
        return leakFields(new JsonObject().field("event", "suspect").field("status", suspect.status().id())
                .field("openForMs", openFor < 0 ? -1 : openFor / 1_000_000L), suspect.leak());
    }

    private String leakFields(JsonObject json, Leak leak) {
        socket(json, leak);
        return json
                .field("thread", leak.thread())
                .field("openThread", leak.openThread())
                .field("openedAt", instant(leak.openedEpochMillis()))
                .field("eofAt", leak.hasEndOfStream() ? instant(leak.endOfStreamEpochMillis()) : null)
                .field("kernelSince", instant(leak.kernelSinceEpochMillis()))
                .field("detectedAt", instant(leak.detectedEpochMillis()))
                .field("ageMs", leak.ageNanos() < 0 ? -1 : leak.ageNanos() / 1_000_000L)
                .field("sinceEofMs", leak.hasEndOfStream() ? leak.sinceEndOfStreamNanos() / 1_000_000L : -1)
                .field("hint", Hints.forLeak(leak))
                .field("site", sites.site(leak))
                .field("allocationKnown", leak.allocationKnown())
                // Seen opened, but stack-sample left its stacks out: not a socket the agent never saw.
                .field("stacksSampledOut", leak.allocation() == CallSite.NOT_SAMPLED)
                .field("lastUseThread", leak.hasLastUse() ? leak.lastUse().thread() : null)
                .field("lastUseAt", leak.hasLastUse() ? instant(leak.lastUseEpochMillis()) : null)
                .field("lastUse", leak.hasLastUse() ? StackFrames.of(leak.lastUse().site(), stackDepth)
                        : java.util.List.of())
                .field("allocation", StackFrames.of(leak.allocation(), stackDepth))
                // The id of the socket of the same site whose stack "allocation" is when this one's was not captured;
                // -1 when it is this socket's own.
                .field("allocationFrom", leak.allocationFrom())
                // Where a client channel was created, when another thread connected it (Netty's event loops).
                .field("creationThread", leak.hasCreation() ? leak.creation().thread() : null)
                .field("creation", leak.hasCreation() ? StackFrames.of(leak.creation().site(), stackDepth)
                        : java.util.List.of())
                .field("eofSite", leak.hasEndOfStream()
                        ? StackFrames.of(leak.endOfStream().site(), stackDepth) : java.util.List.of())
                .end();
    }

    public String outcome(LeakOutcome outcome) {
        Leak leak = outcome.leak();
        boolean closed = outcome.kind() == LeakOutcome.Kind.CLOSED;
        JsonObject json = new JsonObject().field("event", closed ? "closed" : "collected");
        socket(json, leak);
        if (closed) {
            json.field("thread", outcome.thread()).field("closedAt", instant(outcome.atEpochMillis()));
        } else {
            json.field("collectedAt", instant(outcome.atEpochMillis()))
                    .field("fdReleased", leak.type() == SocketType.SOCKET || leak.type() == SocketType.SSL_SOCKET);
        }
        return json.field("afterReportMs", outcome.leakedForNanos() / 1_000_000L).end();
    }

    /** Connection churn towards one destination (docs/report-format.md, {@code churn}). */
    public String churn(Churn churn) {
        return new JsonObject().field("event", "churn")
                .field("pid", Pid.VALUE)
                .field("remote", Endpoints.format(churn.remote()))
                .field("closes", churn.closes())
                .field("windowSeconds", churn.windowSeconds())
                .field("portRange", churn.portRange())
                .field("portRangeShare", churn.portRangeShare())
                .field("threshold", churn.threshold())
                .field("site", churn.site())
                .field("siteCloses", churn.siteCloses())
                .field("stack", StackFrames.of(churn.stack(), stackDepth))
                .field("detectedAt", instant(churn.detectedEpochMillis()))
                .end();
    }

    /**
     * The process id, looked up with the first event written: {@code ProcessHandle} starts the JDK's process-handle
     * machinery, about 11 ms of a cold JVM's CPU, which an agent start that writes no event need not pay.
     */
    private static final class Pid {
        static final long VALUE = ProcessHandle.current().pid();
    }

    private static void socket(JsonObject json, Leak leak) {
        Endpoints endpoints = leak.endpoints();
        // Ids count per JVM: with the pid, events from several runs appended to one file stay apart.
        json.field("pid", Pid.VALUE)
                .field("kind", leak.kind().id())
                .field("id", leak.id())
                .field("type", leak.type().displayName())
                .field("role", leak.role())
                .field("local", Endpoints.format(endpoints.local()))
                .field("remote", Endpoints.format(endpoints.remote()))
                .field("fd", endpoints.fd());
    }

    /** ISO-8601, or null where unknown (-1). */
    private static String instant(long epochMillis) {
        return epochMillis < 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
