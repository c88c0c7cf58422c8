package dev.closewait.e2e.scenarios.sites;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A call site to copy: {@code ManySitesLeak} defines Site001, Site002, … from this class's bytes with the name
 * changed, so each accepts sockets from a distinct application frame.
 */
public final class Site000 {

    private Site000() {
    }

    public static Socket accept(ServerSocket server) throws IOException {
        return server.accept();
    }

    public static MethodHandles.Lookup lookup() {
        return MethodHandles.lookup();
    }
}
