package dev.closewait.agent;

import dev.closewait.bootstrap.MetricsBridge;
import dev.closewait.bootstrap.SocketEventListener;
import dev.closewait.config.AgentOptions;
import dev.closewait.config.EffectiveOptions;
import dev.closewait.config.LogTarget;
import dev.closewait.config.OptionsParser;
import dev.closewait.config.ParsedOptions;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.AgentThread;
import dev.closewait.core.ChurnDetector;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.Clock;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.Suspect;
import dev.closewait.instrument.HooksClassFile;
import dev.closewait.instrument.SocketInstrumentation;
import dev.closewait.kernel.ProcFs;
import dev.closewait.jdk.JavaBaseHooks;
import dev.closewait.jdk.JdkSocketEvents;
import dev.closewait.jdk.JdkSockets;
import dev.closewait.metrics.LeakMetrics;
import dev.closewait.report.AppLog;
import dev.closewait.report.ApplicationLog;
import dev.closewait.report.JsonLines;
import dev.closewait.report.JsonLinesSink;
import dev.closewait.report.LeakText;
import dev.closewait.report.LogSink;
import dev.closewait.report.ReportDispatcher;
import dev.closewait.report.ReportPath;
import dev.closewait.report.StderrLog;
import dev.closewait.text.SafeText;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** Wires the agent together, once per JVM, inside the agent's own class loader. */
final class AgentInstaller {

    /** How quickly the report command gets its answer. */
    private static final long MAILBOX_PERIOD_NANOS = 500_000_000L;
    /** How long JVM exit may wait for the last reports. */
    private static final long FINAL_SCAN_TIMEOUT_MILLIS = 2_000;

    private AgentInstaller() {
    }

    private static volatile boolean instrumented;

    /**
     * After a failed start: makes the hooks inert, and says whether a later attempt (an attach) may install again,
     * which is only safe if the JDK classes were not instrumented yet.
     */
    static boolean undoPartialStart() {
        try {
            JavaBaseHooks.install(null);
        } catch (Throwable ignored) {
            // the hooks class was never defined: nothing to undo
        }
        return !instrumented;
    }

    static void install(ParsedOptions parsed, Instrumentation instrumentation, boolean attached) throws Exception {
        parsed.problems().forEach(System.err::println);
        AgentOptions options = parsed.options();

        StartupTimer.step("options");
        ModuleAccess.openJavaBase(instrumentation);
        JavaBaseHooks.define(ModuleAccess.hooksPackage(), HooksClassFile.renamed());
        StartupTimer.step("module-access+hooks-class");
        AgentErrors errors = new AgentErrors(System.err::println);
        FaultInjection fault = FaultInjection.configured();
        ClassLoaderCandidates loaders = new ClassLoaderCandidates();
        StartupTimer.step("reports");
        OwnPorts ownPorts = new OwnPorts();
        Clock clock = Clock.system();
        SocketTracker tracker = new SocketTracker(clock, JavaBaseHooks::watchWrites);
        tracker.sampleStacks(options.stackSample());
        JdkSocketEvents events = new JdkSocketEvents(new JdkSockets(), tracker, errors, loaders, ownPorts, attached);
        // A failure the hook guard catches is counted there and passed to the listener, which records it: count it
        // once. The guard's own failures (and those it could not pass on) are counted there only.
        // Each report sink counts its own failures, against a budget of its own (see ReportDispatcher).
        AtomicReference<ReportDispatcher> reports = new AtomicReference<>();
        LeakMetrics metrics = new LeakMetrics(options.metrics().sites(), tracker::trackedCount,
                () -> errors.count() + JavaBaseHooks.failures() - events.failuresRecorded()
                        + sinkFailures(reports.get()), MetricsBridge::newMeters);
        List<ReportDispatcher.Sink> sinks = sinks(options, loaders, clock);
        boolean jsonReport = sinks.stream().anyMatch(sink -> sink.listener() instanceof JsonLinesSink);
        sinks.add(new ReportDispatcher.Sink("metrics", metrics, true));
        StatusCounts statusCounts = new StatusCounts();
        sinks.add(new ReportDispatcher.Sink("status", statusCounts, true));
        ReportDispatcher dispatcher = new ReportDispatcher(sinks, options.include(), options.exclude(),
                System.err::println);
        reports.set(dispatcher);

        ChurnDetector churn = ChurnSetup.install(options.churn(), tracker, clock, dispatcher, metrics, errors);
        long graceNanos = options.grace().toNanos();
        LeakDetector detector = new LeakDetector(tracker, graceNanos,
                fault != null && fault.in("reports") ? fault.failing(dispatcher) : dispatcher, errors);
        JavaBaseHooks.install(fault != null && fault.in("hooks") ? fault.failing(events) : events);
        StartupTimer.step("tracker+jdk-access");
        SocketInstrumentation.install(instrumentation,
                (type, failure) -> errors.record("instrumenting " + type, failure));
        instrumented = true;
        StartupTimer.step("instrumentation");
        KernelStatus kernelStatus = new KernelStatus();
        KernelView kernel = kernelView(options, detector, tracker, ownPorts, metrics, errors, kernelStatus);
        DetectorThread.Task scan = fault != null && fault.in("scans") ? fault::fail : detector::scan;
        ScheduledExecutorService detectorThread =
                DetectorThread.start(scan, LeakDetector.scanIntervalNanos(graceNanos), kernel, errors);
        ChurnSetup.scanEverySecond(churn, detectorThread, errors);
        AtomicBoolean off = new AtomicBoolean();
        errors.onGiveUp(() -> {
            off.set(true);
            JavaBaseHooks.install(null);
            detectorThread.shutdownNow();
            dispatcher.stop();
            System.err.println("closewait: turned itself off after " + AgentErrors.GIVE_UP_AFTER + " internal errors "
                    + "(the first of each kind are logged above); the application runs on without it.");
        });
        MetricsPublishing.Published published = new MetricsPublishing.Published();
        Supplier<List<Suspect>> suspects = () -> KernelView.suspects(detector, kernel, Mailbox.MAX_SUSPECTS);
        StatusReport status = new StatusReport(attached, EffectiveOptions.of(parsed), parsed.problems(),
                kernelStatus::describe,
                tracker::trackedCount, suspects, statusCounts,
                StatusSinks.of(options, sinks, dispatcher, published), errors);
        MailboxService mailbox = MailboxService.start(detectorThread, MAILBOX_PERIOD_NANOS,
                new Answers(suspects, clock, new JsonLines(options.stackDepth()), status), errors);
        StartupTimer.step("detector-thread");

        System.err.println("closewait: watching sockets" + (attached ? " (attached)" : "") + "; grace "
                + OptionsParser.format(options.grace())
                + (kernel == null ? "" : ", kernel view on")
                + (jsonReport ? ", JSON report " + options.report().toAbsolutePath() : ""));
        MetricsPublishing.start(metrics, options.metrics(), detectorThread, loaders, ownPorts, errors, published);
        Verdict.publish("installed", parsed);
        warnAboutLegacySocketImpl();
        // Events that are due when the JVM exits (a close after a report, say) still go out.
        // On the detector thread, like every report, so that nothing writes the report sinks at the same time.
        Runtime.getRuntime().addShutdownHook(new AgentThread("shutdown", () -> {
            if (!off.get()) {
                long deadline = System.nanoTime() + FINAL_SCAN_TIMEOUT_MILLIS * 1_000_000L;
                DetectorThread.runAndWait(detectorThread, () -> {
                    scan.run();
                    dispatcher.finish();
                }, FINAL_SCAN_TIMEOUT_MILLIS, errors);
                dispatcher.drain(deadline); // each sink writes on its own thread: wait for them, not for ever
            }
            mailbox.close();
        }));
    }

    /**
     * JDK 17 can be told to use the legacy PlainSocketImpl, which the agent does not instrument; channels and the
     * kernel view still work. (JDK 18 removed that implementation.)
     */
    private static void warnAboutLegacySocketImpl() {
        String legacy = System.getProperty("jdk.net.usePlainSocketImpl");
        // JDK 17 switches to the legacy implementation for any value but "false".
        if (legacy != null && !legacy.equalsIgnoreCase("false") && Runtime.version().feature() < 18) {
            System.err.println("closewait: -Djdk.net.usePlainSocketImpl is set, so java.net.Socket uses the legacy "
                    + "PlainSocketImpl, which closewait does not instrument: EOF and GC leaks of plain sockets are not "
                    + "seen (channels are, and so is CLOSE_WAIT through the kernel view).");
        }
    }

    /** The kernel view where it is wanted and there is a Linux /proc to read; else null, said once. */
    private static KernelView kernelView(AgentOptions options, LeakDetector detector, SocketTracker tracker,
                                         OwnPorts ownPorts, LeakMetrics metrics, AgentErrors errors,
                                         KernelStatus status) {
        if (!options.kernel()) {
            status.off("option kernel=off");
            return null;
        }
        ProcFs procFs = ProcFs.system();
        if (!procFs.available()) {
            status.off("this system has no Linux /proc (" + System.getProperty("os.name") + ")");
        }
        KernelView kernel = KernelView.create(procFs, detector, tracker, options.grace().toNanos(), ownPorts, errors);
        if (kernel != null) {
            metrics.kernelStates(kernel.finder::lastCounts);
            status.on(kernel.scan, kernel.finder::lastCounts);
        }
        return kernel;
    }

    private static long sinkFailures(ReportDispatcher dispatcher) {
        return dispatcher == null ? 0 : dispatcher.failures();
    }

    private static List<ReportDispatcher.Sink> sinks(AgentOptions options, ClassLoaderCandidates loaders,
                                                     Clock clock) {
        List<ReportDispatcher.Sink> sinks = new ArrayList<>();
        LeakText text = new LeakText(options.stackDepth());
        AppLog log = switch (options.log()) {
            case AUTO -> new ApplicationLog(loaders);
            case STDERR -> new StderrLog();
            case OFF -> AppLog.OFF;
        };
        if (options.log() != LogTarget.OFF) {
            sinks.add(new ReportDispatcher.Sink("log", new LogSink(log, text, clock)));
        }
        if (options.report() != null) {
            try {
                sinks.add(new ReportDispatcher.Sink("json", JsonLinesSink.open(options.report(),
                        options.reportMaxBytes(), new JsonLines(options.stackDepth()), options.reportTrust())));
            } catch (ReportPath.Refused e) {
                System.err.println("closewait: option 'report' is refused: " + e.getMessage()
                        + "; no JSON report will be written.");
            } catch (Exception e) {
                System.err.println("closewait: option 'report' names a file that cannot be written ("
                        + SafeText.escape(options.report().toString()) + ": " + SafeText.escape(e.toString())
                        + "); no JSON report will be written.");
            }
        }
        return sinks;
    }
}
