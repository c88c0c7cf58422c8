package dev.closewait.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** {@code closewait.LeakClosed}: a socket reported as leaked was closed (or collected) after all. */
@Name(LeakClosedEvent.NAME)
@Label("Leaked Socket Closed")
@Category({"closewait"})
@Description("A socket reported as leaked that was closed, or collected, after the report")
@StackTrace(false)
final class LeakClosedEvent extends SocketEvent {

    static final String NAME = "closewait.LeakClosed";

    @Label("Outcome")
    @Description("closed (close() was called) or collected (unreachable without close())")
    String outcome;

    @Label("Thread")
    @Description("The thread that called close(); empty when collected")
    String thread;

    @Label("After Report")
    @Timespan(Timespan.MILLISECONDS)
    long afterReport;
}
