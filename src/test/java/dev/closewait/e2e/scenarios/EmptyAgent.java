package dev.closewait.e2e.scenarios;

import java.lang.instrument.Instrumentation;

/** An agent that does nothing: what any {@code -javaagent} costs the JVM, the baseline of {@code StartupCostTest}. */
public final class EmptyAgent {

    private EmptyAgent() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        // nothing
    }
}
