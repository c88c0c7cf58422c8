package dev.closewait.e2e.scenarios;

import dev.closewait.e2e.scenarios.sites.Site000;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Leaks one accepted socket from each of many distinct call sites: classes Site000 … SiteNNN, copies of one
 * template defined at run time, each the first application frame of its socket's allocation stack. Argument: how
 * many sites (at most 1000).
 */
public final class ManySitesLeak {

    public static void main(String[] args) throws Exception {
        int sites = Integer.parseInt(args[0]);
        byte[] template;
        try (InputStream in = Site000.class.getResourceAsStream("Site000.class")) {
            template = in.readAllBytes();
        }
        MethodHandles.Lookup lookup = Site000.lookup();
        ServerSocket server = Scenario.serverSocket();
        List<Socket> forgotten = new ArrayList<>();
        for (int i = 0; i < sites; i++) {
            Class<?> site = i == 0 ? Site000.class
                    : lookup.defineClass(renamed(template, String.format("Site%03d", i)));
            Method accept = site.getMethod("accept", ServerSocket.class);
            try (Socket client = new Socket(Scenario.loopback(), server.getLocalPort())) {
                client.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            }
            Socket accepted = (Socket) accept.invoke(null, server);
            InputStream in = accepted.getInputStream();
            while (in.read() != -1) {
                // consume
            }
            forgotten.add(accepted); // the bug: no close()
        }
        Scenario.readyThenAwaitExit(server.getLocalPort(), sites);
    }

    /** The class file with every "Site000" replaced by a name of the same length: no constant changes size. */
    private static byte[] renamed(byte[] template, String name) {
        byte[] from = "Site000".getBytes(StandardCharsets.US_ASCII);
        byte[] to = name.getBytes(StandardCharsets.US_ASCII);
        byte[] copy = template.clone();
        for (int i = 0; i + from.length <= copy.length; i++) {
            if (Arrays.equals(copy, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, copy, i, to.length);
            }
        }
        return copy;
    }
}
