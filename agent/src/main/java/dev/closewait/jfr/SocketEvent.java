package dev.closewait.jfr;

import dev.closewait.core.Endpoints;
import dev.closewait.core.Leak;
import jdk.jfr.Description;
import jdk.jfr.Label;

/**
 * What both closewait events say of the socket: the leak's kind and id, its descriptor and its addresses. JFR takes
 * an event's fields from its superclasses too (JDK 17 and 25), so the two events share these, filled in one place.
 */
abstract class SocketEvent extends jdk.jfr.Event {

    @Label("Kind")
    @Description("eof-not-closed, gc-not-closed, close-wait or reset-not-closed")
    String kind;

    @Label("Leak Id")
    @Description("The agent's number for this socket, as in the log and the JSON report")
    long id;

    @Label("File Descriptor")
    @Description("The socket's file descriptor, -1 when unknown")
    int fd;

    @Label("Local Address")
    String local;

    @Label("Remote Address")
    String remote;

    /** Fills the fields above from the reported leak. */
    final void socket(Leak leak) {
        Endpoints endpoints = leak.endpoints();
        kind = leak.kind().id();
        id = leak.id();
        fd = endpoints.fd();
        local = Endpoints.format(endpoints.local());
        remote = Endpoints.format(endpoints.remote());
    }
}
