package dev.closewait.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * {@code closewait.Leak}: one leaked socket, committed when the agent reports it. The event's own stack trace would
 * be the agent's reporting thread, so it is off; the stack that opened the socket is the {@code allocation} field.
 */
@Name(LeakEvent.NAME)
@Label("Leaked Socket")
@Category({"closewait"})
@Description("A socket the application leaked: EOF read or CLOSE_WAIT (or reset, or collected) and never closed "
        + "within grace")
@StackTrace(false)
final class LeakEvent extends SocketEvent {

    static final String NAME = "closewait.Leak";

    @Label("Socket Type")
    String type;

    @Label("Role")
    @Description("accepted (server side) or client")
    String role;

    @Label("Allocation Site")
    @Description("The first application frame of the stack that opened the socket, pkg.Class.method")
    String site;

    @Label("Thread")
    @Description("The thread that read EOF, else the one that opened the socket")
    String thread;

    @Label("Open For")
    @Timespan(Timespan.MILLISECONDS)
    long age;

    @Label("Since EOF")
    @Timespan(Timespan.MILLISECONDS)
    long sinceEof;

    @Label("Allocation")
    @Description("The stack that opened the socket, one frame per line; empty when the agent did not see it opened")
    String allocation;

    @Label("Creation")
    @Description("Where the client channel was created, when another thread connected it (Netty's event loops), one "
            + "frame per line; empty otherwise")
    String creation;
}
