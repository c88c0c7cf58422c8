package dev.closewait.agent;

import dev.closewait.config.ParsedOptions;
import dev.closewait.core.AgentThread;
import dev.closewait.instrument.HookTransformer;
import dev.closewait.jdk.JavaBaseHooks;
import dev.closewait.text.SafeText;

import java.lang.instrument.Instrumentation;
import java.util.function.BiConsumer;

/**
 * The part of the start that runs on the thread that runs premain: only what must be in place before the JDK loads
 * its first socket class, the transformer, closed ({@link HookTransformer}), and the shutdown hook. Everything else
 * runs on the daemon thread {@code closewait-start}, so that {@code main} need not wait for it:
 * {@link AgentInstaller#track} (the hooks class, the tracker with its listener and churn counter), which opens the
 * transformer, then {@link AgentInstaller#startReporting}. A thread that loads a socket class meanwhile waits for the
 * transformer to open, so no socket goes unseen; a failure on {@code closewait-start} turns the agent off and says so
 * in one line.
 *
 * <p>A class of its own, and a small one: every class the JVM verifies on this path, and every class that verifying
 * it loads, is start-up time of the application (a fifth of a millisecond each here; {@code AgentInstaller} pulled in
 * fifteen).
 */
final class AgentLaunch {

    private static volatile boolean instrumented;
    /** The transformer premain or agentmain added; null before. */
    private static volatile HookTransformer transformer;
    private static volatile Instrumentation instrumentationInUse;

    private AgentLaunch() {
    }

    /**
     * Starts the agent (see the class comment). After an attach, all of it runs on this thread, whose command waits
     * for agentmain and reads the verdict the start publishes; what fails {@link AgentInstaller#track} is thrown.
     *
     * @param early the options when {@link StartGate} had to read them already (they could say enabled=false),
     *              else null: they are read by {@link AgentInstaller#startReporting}
     */
    static void install(String arguments, ParsedOptions early, Instrumentation instrumentation, boolean attached)
            throws Throwable {
        Started started = new Started();
        Runnable start = new Runnable() {
            @Override
            public void run() {
                try {
                    Tracking tracking = started.tracking() != null ? started.tracking()
                            : AgentInstaller.track(instrumentation, transformer, attached, started);
                    instrumented = true;
                    AgentInstaller.startReporting(arguments, early, attached, tracking, started);
                    StartupTimer.step("reporting");
                    StartupTimer.print();
                } catch (Throwable t) {
                    failed(t, started);
                } finally {
                    started.announced();
                }
            }
        };
        Thread starter = attached ? null : new AgentThread("start", start);
        instrumentationInUse = instrumentation;
        transformer = HookTransformer.add(instrumentation, new InstrumentationErrors(started), starter);
        StartupTimer.step("transformer");
        // Events that are due when the JVM exits (a close after a report, say) still go out, and so do the option
        // problems and the start line when the application ends before the start got that far: unless nothing can
        // be due (no socket was ever opened) and the user gave no option to hear about. Then exit does not wait,
        // and a JVM that ends within milliseconds of main, the start still under way, prints nothing.
        boolean optionsGiven = attached || StartGate.optionsGiven(arguments);
        Runtime.getRuntime().addShutdownHook(new AgentThread("shutdown", new Runnable() {
            @Override
            public void run() {
                try {
                    Tracking tracking = started.tracking();
                    if (!optionsGiven && (tracking == null || tracking.tracker().socketsSeen() == 0)) {
                        started.exited();
                    } else {
                        started.finish();
                    }
                } catch (Throwable t) {
                    // a security manager may deny stopping the agent's threads: the JVM exits all the same
                }
                StartupTimer.print(); // -Ddev.closewait.debug.startup=true: the steps so far, if not printed yet
            }
        }));
        if (attached) {
            AgentInstaller.track(instrumentation, transformer, true, started); // throws, for the attach command
            instrumented = true;
            start.run(); // the attach command waits for agentmain, and reads the verdict the start publishes
        } else {
            starter.start();
        }
        StartupTimer.step("premain done");
    }

    /**
     * The start failed on {@code closewait-start}: says so in one line first, then turns the agent off, each step on
     * its own, so that a failing step (a security manager the application installed meanwhile denies the agent
     * what it does, say) can neither silence the line nor escape into the host.
     */
    private static void failed(Throwable cause, Started started) {
        try {
            AgentStderr.println("closewait: the agent could not start and is disabled; the application is not "
                    + "affected: " + SafeText.escape(String.valueOf(cause)));
        } catch (Throwable ignored) {
            // standard error is gone: nothing to tell
        }
        try {
            started.turnOff();
        } catch (Throwable ignored) {
            // what runs stops at the JVM's exit: they are daemon threads
        }
        try {
            undoPartialStart();
        } catch (Throwable ignored) {
            // the hooks stay inert (turnOff), or were never installed
        }
        try {
            Verdict.publish("failed", null);
        } catch (Throwable ignored) {
            // the command line then finds no verdict
        }
    }

    /**
     * After a failed start: makes the hooks inert, and says whether a later attempt (an attach) may install again,
     * which is only safe if the JDK classes were not instrumented yet (the transformer, added but never opened, is
     * removed).
     */
    static boolean undoPartialStart() {
        try {
            JavaBaseHooks.install(null);
        } catch (Throwable ignored) {
            // the hooks class was never defined: nothing to undo
        }
        HookTransformer added = transformer;
        if (added != null && !added.isReady()) {
            try {
                added.abandon(instrumentationInUse);
            } catch (Throwable ignored) {
                // it stays, closed: it changes no class
            }
        }
        return !instrumented;
    }

    /**
     * Problems instrumenting single classes, recorded as internal errors once the start has built the agent's error
     * count; before that (a class that waited for the start in vain), said on standard error.
     */
    private static final class InstrumentationErrors implements BiConsumer<String, Throwable> {
        private final Started started;

        InstrumentationErrors(Started started) {
            this.started = started;
        }

        @Override
        public void accept(String type, Throwable failure) {
            Tracking tracking = started.tracking();
            if (tracking != null) {
                tracking.errors().record("instrumenting " + type, failure);
            } else {
                AgentStderr.println("closewait: instrumenting " + SafeText.escape(type) + " failed: "
                        + SafeText.escape(String.valueOf(failure)));
            }
        }
    }
}
