package dev.closewait.e2e.scenarios;

import java.io.FileDescriptor;
import java.lang.reflect.AccessibleObject;
import java.util.List;

/**
 * Probes JDK internals the way libraries do (Netty tries sun.nio.ch.SelectorImpl.selectedKeys, for instance) and
 * prints what is allowed; the answers must be the same with the agent as without.
 */
public final class ReflectionProbe {

    static final List<String> PROBES = List.of("java.net.Socket#impl", "java.io.FileDescriptor#fd",
            "sun.nio.ch.SelectorImpl#selectedKeys", "sun.nio.ch.SocketChannelImpl#fdVal",
            "sun.security.ssl.BaseSSLSocketImpl#self", "sun.nio.ch.Net#localAddress");

    public static void main(String[] args) throws Exception {
        java.nio.channels.Selector.open().close(); // load SelectorImpl
        for (String probe : PROBES) {
            String[] parts = probe.split("#");
            String result;
            try {
                Class<?> owner = Class.forName(parts[0]);
                AccessibleObject member = parts[1].equals("localAddress")
                        ? owner.getDeclaredMethod(parts[1], FileDescriptor.class) : owner.getDeclaredField(parts[1]);
                member.setAccessible(true);
                result = "allowed";
            } catch (RuntimeException e) {
                result = "denied";
            }
            System.out.println("PROBE " + probe + " " + result);
        }
        // The agent's own accessor class as the application can reach it: the agent jar is on the class path.
        System.out.println("PROBE dev.closewait.bootstrap.JdkFields "
                + (tryBridge("java.net.Socket", "impl") ? "reads" : "refuses") + " listed fields, "
                + (tryBridge("sun.nio.ch.SelectorImpl", "selectedKeys") ? "reads" : "refuses") + " others");
        System.out.println("HOOKS " + tryHooks());
        // Code on the bootstrap class path, when the test put this class there too.
        if (args.length > 0 && args[0].equals("boot")) {
            Class<?> boot = Class.forName(BootPathProbe.class.getName(), true, null);
            @SuppressWarnings("unchecked")
            List<String> results = (List<String>) boot.getMethod("probe", List.class).invoke(null, PROBES);
            results.forEach(result -> System.out.println("BOOT " + result));
        }
        Scenario.readyThenAwaitExit(0, 0);
    }

    /** Whether the agent's hooks class in java.base exists, and whether the application could call it. */
    static String tryHooks() {
        Class<?> hooks;
        try {
            hooks = Class.forName("sun.nio.ch.ClosewaitSocketHooks");
        } catch (ClassNotFoundException e) {
            return "absent";
        }
        try {
            hooks.getMethod("install", java.util.function.ObjIntConsumer.class).invoke(null, (Object) null);
            return "callable";
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "not callable";
        }
    }

    /** Whether the agent's accessor class, as loaded from the application class path, hands out a getter. */
    static boolean tryBridge(String owner, String field) {
        try {
            Class<?> bridge = Class.forName("dev.closewait.bootstrap.JdkFields");
            bridge.getMethod("getter", Class.class, String.class).invoke(null, Class.forName(owner), field);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
