package dev.closewait.bench;

import java.lang.instrument.Instrumentation;

/** An agent that does nothing: what any {@code -javaagent:} costs a JVM's start, the floor for closewait's. */
public final class NoopAgent {

    private NoopAgent() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        // nothing
    }
}
