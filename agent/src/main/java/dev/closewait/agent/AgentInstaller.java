package dev.closewait.agent;

import dev.closewait.bootstrap.MetricsBridge;
import dev.closewait.config.AgentOptions;
import dev.closewait.config.EffectiveOptions;
import dev.closewait.config.LogTarget;
import dev.closewait.config.OptionsParser;
import dev.closewait.config.ParsedOptions;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.ChurnDetector;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.KernelLeakFinder;
import dev.closewait.core.Clock;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.LeakListener;
import dev.closewait.core.OwnPorts;
import dev.closewait.core.SocketTracker;
import dev.closewait.core.Suspect;
import dev.closewait.core.TcpState;
import dev.closewait.instrument.HooksClassFile;
import dev.closewait.instrument.HookTransformer;
import dev.closewait.jfr.JfrEvents;
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
import dev.closewait.report.Sites;
import dev.closewait.report.ReportDispatcher;
import dev.closewait.report.ReportPath;
import dev.closewait.report.StderrLog;
import dev.closewait.text.SafeText;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Wires the agent together, once per JVM, inside the agent's own class loader. */
final class AgentInstaller {

    private AgentInstaller() {
    }

    /**
     * The hooks class defined in java.base, the tracker with its listener and churn counter behind it, and then the
     * transformer opened: from here on every socket is followed. Throws what failed.
     */
    static Tracking track(Instrumentation instrumentation, HookTransformer transformer, boolean attached,
                          Started started) throws Throwable {
        AgentErrors errors = new AgentErrors(new StderrLine());
        errors.onGiveUp(started);
        ModuleAccess.openJavaBase(instrumentation);
        StartupTimer.step("module-access");
        JavaBaseHooks.define(ModuleAccess.hooksPackage(), HooksClassFile.renamed());
        StartupTimer.step("hooks-class");
        ClassLoaderCandidates loaders = new ClassLoaderCandidates();
        OwnPorts ownPorts = new OwnPorts();
        Clock clock = Clock.system();
        JdkSockets jdkSockets = new JdkSockets();
        SocketTracker tracker = new SocketTracker(clock, new HookWriteWatch(), jdkSockets);
        tracker.readWatch(new HookReadWatch());
        // Counts closes from the first socket on: churn=off, read later, stops it again.
        ChurnDetector churn = new ChurnDetector(clock);
        tracker.observeCloses(churn);
        StartupTimer.step("tracker");
        JdkSocketEvents events = new JdkSocketEvents(jdkSockets, tracker, errors, loaders, ownPorts, attached);
        Tracking tracking = new Tracking(errors, loaders, ownPorts, clock, tracker, events, churn);
        started.tracking(tracking);
        JavaBaseHooks.install(events);
        StartupTimer.step("listener");
        transformer.ready(instrumentation);
        StartupTimer.step("instrumentation");
        return tracking;
    }

    /** Options, report sinks, the detector thread and everything after it. */
    static void startReporting(String arguments, ParsedOptions early, boolean attached, Tracking tracking,
                               Started started) throws Exception {
        AgentErrors errors = tracking.errors();
        ClassLoaderCandidates loaders = tracking.loaders();
        OwnPorts ownPorts = tracking.ownPorts();
        Clock clock = tracking.clock();
        SocketTracker tracker = tracking.tracker();
        JdkSocketEvents events = tracking.events();
        ChurnDetector churn = tracking.churn();
        ParsedOptions parsed = early != null ? early
                : OptionsParser.parse(arguments, System.getProperties(), System.getenv());
        for (String problem : parsed.problems()) {
            AgentStderr.println(problem);
        }
        AgentOptions options = parsed.options();
        tracker.sampleStacks(options.stackSample());
        StartupTimer.step("options");
        Sites sites = new Sites(options.appPackages(), options.libraryPackages());
        List<ReportDispatcher.Sink> sinks = sinks(options, sites, loaders, clock);
        boolean jsonReport = false;
        for (ReportDispatcher.Sink sink : sinks) {
            jsonReport |= sink.listener() instanceof JsonLinesSink;
        }
        ProcFs procFs = options.kernel() ? ProcFs.system() : null;
        // The start line first: the JVM's exit waits for it (a short-lived application still gets it), not for the rest.
        AgentStderr.println("closewait: watching sockets" + (attached ? " (attached)" : "") + "; grace "
                + OptionsParser.format(options.grace())
                + (procFs != null && procFs.available() ? ", kernel view on" : "")
                + (jsonReport ? ", JSON report " + options.report().toAbsolutePath() : ""));
        started.announced();
        StartupTimer.step("sinks+start line");
        // A failure the hook guard catches is counted there and passed to the listener, which records it: count it
        // once. The guard's own failures (and those it could not pass on) are counted there only.
        // Each report sink counts its own failures, against a budget of its own (see ReportDispatcher).
        AtomicReference<ReportDispatcher> reports = new AtomicReference<>();
        TrackedCount trackedCount = new TrackedCount(tracker);
        LeakMetrics metrics = new LeakMetrics(options.metrics().sites(), sites, trackedCount,
                new LongSupplier() {
                    @Override
                    public long getAsLong() {
                        return errors.count() + JavaBaseHooks.failures() - events.failuresRecorded()
                                + sinkFailures(reports.get());
                    }
                }, new NewMeters());
        sinks.add(new ReportDispatcher.Sink("metrics", metrics, true));
        StatusCounts statusCounts = new StatusCounts();
        sinks.add(new ReportDispatcher.Sink("status", statusCounts, true));
        ReportDispatcher dispatcher = new ReportDispatcher(sinks, options.include(), options.exclude(),
                new StderrLine());
        reports.set(dispatcher);

        ChurnDetector churning = ChurnSetup.install(options.churn(), churn, tracker, sites, dispatcher, metrics, errors);
        long graceNanos = options.grace().toNanos();
        LeakDetector detector = new LeakDetector(tracker, graceNanos, dispatcher, errors);
        KernelStatus kernelStatus = new KernelStatus();
        KernelView kernel = kernelView(options, procFs, detector, tracker, ownPorts, metrics, errors, kernelStatus);
        StartupTimer.step("metrics+detector+kernel view");
        HookTransformer.prepare();
        StartupTimer.step("hook rules");

        DetectorThread.Task scan = new DetectorThread.Task() {
            @Override
            public void run() {
                detector.scan();
            }
        };
        ScheduledExecutorService detectorThread =
                DetectorThread.start(scan, LeakDetector.scanIntervalNanos(graceNanos), kernel, errors);
        SecondTick tick = SecondTick.start(detectorThread, errors);
        ChurnSetup.scanEverySecond(churning, tick);
        MetricsPublishing.Published published = new MetricsPublishing.Published();
        Supplier<List<Suspect>> suspects = new Supplier<>() {
            @Override
            public List<Suspect> get() {
                return KernelView.suspects(detector, kernel, Mailbox.MAX_SUSPECTS);
            }
        };
        long startedEpochMillis = System.currentTimeMillis();
        long startedNanos = System.nanoTime();
        // Built on the detector thread when first asked for: nothing of the status command costs start-up time.
        Supplier<StatusReport> status = new Supplier<>() {
            @Override
            public StatusReport get() {
                return new StatusReport(attached, startedEpochMillis, startedNanos, EffectiveOptions.of(parsed),
                        parsed.problems(), kernelStatus, trackedCount, suspects, statusCounts,
                        StatusSinks.of(options, sinks, dispatcher, published), errors);
            }
        };
        MailboxService mailbox = MailboxService.start(detectorThread, tick,
                new Answers(suspects, clock, new JsonLines(options.stackDepth(), sites), status));
        DetectorThread.Task finalScan = new DetectorThread.Task() {
            @Override
            public void run() throws Exception {
                long deadline = System.nanoTime() + (Started.FINAL_SCAN_TIMEOUT_MILLIS - 200) * 1_000_000L;
                scan.run();
                dispatcher.finish();
                dispatcher.drain(deadline); // each sink writes on its own thread: wait for them, not for ever
            }
        };
        if (!started.running(detectorThread, finalScan, mailbox)) {
            return; // turned off, or the JVM exits, meanwhile
        }
        Runnable stopEndpoint = MetricsPublishing.start(metrics, options.metrics(), tick, loaders, ownPorts,
                errors, published);
        Runnable stopMetrics = new Runnable() {
            @Override
            public void run() {
                stopEndpoint.run();
                dispatcher.stop(); // and the report sinks' threads
            }
        };
        if (!started.metricsStarted(stopMetrics)) {
            stopMetrics.run(); // turned off meanwhile, before the stop could reach the endpoint
            return;
        }
        if (attached) {
            Verdict.publish("installed", parsed); // for the attach command; -javaagent starts need none
        }
        warnAboutLegacySocketImpl();
    }

    /*
     * The functions handed out at start are classes, not lambdas or method references: each of those is linked on
     * first use by spinning a class and method handles, which cost a cold JVM's start about a third of the start
     * thread's CPU and kept the JIT compiling java.lang.invoke (docs/performance.md, "Start-up CPU").
     */

    /** The tracker switches the write hooks on and off. */
    private static final class HookWriteWatch implements SocketTracker.WriteWatch {
        @Override
        public void watch(boolean watching) {
            JavaBaseHooks.watchWrites(watching);
        }
    }

    /** The tracker switches the hooks' reports of reads on and off. */
    private static final class HookReadWatch implements SocketTracker.ReadWatch {
        @Override
        public void watch(boolean watching) {
            JavaBaseHooks.watchReads(watching);
        }
    }

    /** The number of sockets the tracker follows, for the metrics and the status report. */
    private static final class TrackedCount implements IntSupplier {
        private final SocketTracker tracker;

        TrackedCount(SocketTracker tracker) {
            this.tracker = tracker;
        }

        @Override
        public int getAsInt() {
            return tracker.trackedCount();
        }
    }

    /** Tells the Micrometer binders that there are new meters to register. */
    private static final class NewMeters implements Runnable {
        @Override
        public void run() {
            MetricsBridge.newMeters();
        }
    }

    /** The kernel view's last counts by TCP state. */
    private static final class LastCounts implements Supplier<Map<TcpState, Integer>> {
        private final KernelLeakFinder finder;

        LastCounts(KernelLeakFinder finder) {
            this.finder = finder;
        }

        @Override
        public Map<TcpState, Integer> get() {
            return finder.lastCounts();
        }
    }

    private static final class StderrLine implements Consumer<String> {
        @Override
        public void accept(String line) {
            AgentStderr.println(line);
        }
    }

    /**
     * JDK 17 can be told to use the legacy PlainSocketImpl, which the agent does not instrument; channels and the
     * kernel view still work. (JDK 18 removed that implementation.)
     */
    private static void warnAboutLegacySocketImpl() {
        String legacy = System.getProperty("jdk.net.usePlainSocketImpl");
        // JDK 17 switches to the legacy implementation for any value but "false".
        if (legacy != null && !legacy.equalsIgnoreCase("false") && Runtime.version().feature() < 18) {
            AgentStderr.println("closewait: -Djdk.net.usePlainSocketImpl is set, so java.net.Socket uses the legacy "
                    + "PlainSocketImpl, which closewait does not instrument: EOF and GC leaks of plain sockets are not "
                    + "seen (channels are, and so is CLOSE_WAIT through the kernel view).");
        }
    }

    /** The kernel view where it is wanted and {@code procFs} is a Linux /proc to read; else null, said once. */
    private static KernelView kernelView(AgentOptions options, ProcFs procFs, LeakDetector detector,
                                         SocketTracker tracker, OwnPorts ownPorts, LeakMetrics metrics,
                                         AgentErrors errors, KernelStatus status) {
        if (!options.kernel()) {
            status.off("option kernel=off");
            return null;
        }
        if (!procFs.available()) {
            status.off("this system has no Linux /proc (" + System.getProperty("os.name") + ")");
        }
        KernelView kernel = KernelView.create(procFs, detector, tracker, options.grace().toNanos(), ownPorts, errors);
        if (kernel != null) {
            LastCounts lastCounts = new LastCounts(kernel.finder);
            metrics.kernelStates(lastCounts);
            status.on(kernel.scan, lastCounts);
        }
        return kernel;
    }

    private static long sinkFailures(ReportDispatcher dispatcher) {
        return dispatcher == null ? 0 : dispatcher.failures();
    }

    private static List<ReportDispatcher.Sink> sinks(AgentOptions options, Sites sites, ClassLoaderCandidates loaders,
                                                     Clock clock) {
        List<ReportDispatcher.Sink> sinks = new ArrayList<>();
        LeakText text = new LeakText(options.stackDepth(), sites);
        AppLog log = switch (options.log()) {
            case AUTO -> new ApplicationLog(loaders, AgentStderr.stream());
            case STDERR -> new StderrLog(AgentStderr.stream());
            case OFF -> AppLog.OFF;
        };
        if (options.log() != LogTarget.OFF) {
            sinks.add(new ReportDispatcher.Sink("log", new LogSink(log, text, clock, options.stackDepth())));
        }
        if (options.report() != null) {
            try {
                sinks.add(new ReportDispatcher.Sink("json", JsonLinesSink.open(options.report(),
                        options.reportMaxBytes(), new JsonLines(options.stackDepth(), sites), options.reportTrust())));
            } catch (ReportPath.Refused e) {
                AgentStderr.println("closewait: option 'report' is refused: " + e.getMessage()
                        + "; no JSON report will be written.");
            } catch (Exception e) {
                AgentStderr.println("closewait: option 'report' names a file that cannot be written ("
                        + SafeText.escape(options.report().toString()) + ": " + SafeText.escape(e.toString())
                        + "); no JSON report will be written.");
            }
        }
        LeakListener jfr = JfrEvents.sink(options.stackDepth(), sites);
        if (jfr != null) {
            sinks.add(new ReportDispatcher.Sink("jfr", jfr, true));
        }
        return sinks;
    }
}
