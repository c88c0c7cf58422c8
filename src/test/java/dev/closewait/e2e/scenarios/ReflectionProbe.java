package dev.closewait.e2e.scenarios;

import java.lang.reflect.Field;
import java.util.List;

/**
 * Probes JDK internals the way libraries do (Netty tries sun.nio.ch.SelectorImpl.selectedKeys, for instance) and
 * prints what is allowed; the answers must be the same with the agent as without.
 */
public final class ReflectionProbe {

    public static void main(String[] args) throws Exception {
        java.nio.channels.Selector.open().close(); // load SelectorImpl
        for (String probe : List.of("java.net.Socket#impl", "java.io.FileDescriptor#fd",
                "sun.nio.ch.SelectorImpl#selectedKeys", "sun.nio.ch.SocketChannelImpl#fdVal",
                "sun.security.ssl.BaseSSLSocketImpl#self")) {
            String[] parts = probe.split("#");
            String result;
            try {
                Field field = Class.forName(parts[0]).getDeclaredField(parts[1]);
                field.setAccessible(true);
                result = "allowed";
            } catch (RuntimeException e) {
                result = "denied";
            }
            System.out.println("PROBE " + probe + " " + result);
        }
        System.out.println("PROBE dev.closewait.bootstrap.JdkFields "
                + (tryBridge("java.net.Socket", "impl") ? "reads" : "refuses") + " listed fields, "
                + (tryBridge("sun.nio.ch.SelectorImpl", "selectedKeys") ? "reads" : "refuses") + " others");
        Scenario.readyThenAwaitExit(0, 0);
    }

    /** Whether the agent's bridge, if present, hands out a getter for the field. */
    static boolean tryBridge(String owner, String field) {
        try {
            Class<?> bridge = Class.forName("dev.closewait.bootstrap.JdkFields", true, null);
            bridge.getMethod("getter", Class.class, String.class).invoke(null, Class.forName(owner), field);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
