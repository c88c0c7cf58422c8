package dev.closewait.agent;

import dev.closewait.config.ParsedOptions;

import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The agent's entry inside its own class loader. {@link ClosewaitAgent} initializes this class there; its static
 * initializer hands an instance to the loader ({@link AgentClassLoader#accept}), typed by a JDK interface both sides
 * share, and {@link ClosewaitAgent} calls it through that: no reflective call, whose method handles cost start-up time
 * on JDK 18 and later. Public: the rest of the agent is package-private to a package that, in that loader, is not the
 * entry point's.
 */
public final class AgentStart implements Function<Object[], Object> {

    static {
        if (AgentStart.class.getClassLoader() instanceof Consumer<?> handoff) {
            @SuppressWarnings("unchecked")
            Consumer<Function<Object[], Object>> loader = (Consumer<Function<Object[], Object>>) handoff;
            loader.accept(new AgentStart());
        }
    }

    private AgentStart() {
    }

    /**
     * Takes {@code {arguments (String, may be null), instrumentation, attached (Boolean), began (Long, System.nanoTime
     * when premain or agentmain was entered)}} and returns what {@link #install} returned, or the {@code Throwable}
     * that failed the start: the caller reports it (a JDK functional interface cannot throw one).
     */
    @Override
    public Object apply(Object[] call) {
        try {
            return install((String) call[0], (Instrumentation) call[1], (Boolean) call[2], (Long) call[3]);
        } catch (Throwable t) {
            return t;
        }
    }

    /**
     * Installs the agent; {@code beganNanos} is when premain or agentmain was entered. Returns false, having installed
     * nothing and said so in one line, when {@code enabled=false}; throws if the start failed. The options are read
     * here only when some source could turn the agent off ({@link StartGate#couldStayOut}), else once the hooks
     * are in place.
     */
    private static boolean install(String arguments, Instrumentation instrumentation, boolean attached,
                                  long beganNanos) throws Throwable {
        StartupTimer.begin(beganNanos);
        AgentStderr.capture(); // before main can replace System.err (see AgentStderr)
        ParsedOptions early = null;
        if (StartGate.couldStayOut(arguments)) {
            StartGate.Verdict gate = StartGate.decide(arguments);
            if (!gate.start()) {
                Verdict.publish("disabled", gate.options());
                AgentStderr.println(gate.reason());
                return false;
            }
            early = gate.options();
        }
        try {
            AgentLaunch.install(arguments, early, instrumentation, attached);
        } catch (Exception | Error e) {
            Verdict.publish("failed", null);
            throw e;
        }
        return true;
    }

    /** After a failed start: see {@link AgentLaunch#undoPartialStart}. */
    public static boolean undoPartialStart() {
        return AgentLaunch.undoPartialStart();
    }
}
