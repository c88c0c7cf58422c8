package dev.closewait.agent;

import dev.closewait.bootstrap.SocketHooks;
import dev.closewait.config.AgentOptions;
import dev.closewait.config.LogTarget;
import dev.closewait.config.OptionsParser;
import dev.closewait.config.ParsedOptions;
import dev.closewait.core.AgentErrors;
import dev.closewait.core.ClassLoaderCandidates;
import dev.closewait.core.Clock;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.SocketTracker;
import dev.closewait.instrument.SocketInstrumentation;
import dev.closewait.jdk.JdkSocketEvents;
import dev.closewait.jdk.JdkSockets;
import dev.closewait.report.AppLog;
import dev.closewait.report.ApplicationLog;
import dev.closewait.report.JsonLines;
import dev.closewait.report.JsonLinesSink;
import dev.closewait.report.LeakText;
import dev.closewait.report.LogSink;
import dev.closewait.report.ReportDispatcher;
import dev.closewait.report.ReportSink;
import dev.closewait.report.StderrLog;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/** Wires the agent together, once per JVM. Runs after the bridge is on the bootstrap class path. */
final class AgentInstaller {

    private AgentInstaller() {
    }

    static void install(String arguments, Instrumentation instrumentation, boolean attached) throws Exception {
        ParsedOptions parsed = OptionsParser.parse(arguments, System.getProperties(), System.getenv());
        parsed.problems().forEach(System.err::println);
        AgentOptions options = parsed.options();

        StartupTimer.step("options");
        ModuleAccess.openJavaBase(instrumentation);
        AgentErrors errors = new AgentErrors(System.err::println);
        ClassLoaderCandidates loaders = new ClassLoaderCandidates();
        ReportDispatcher dispatcher = new ReportDispatcher(sinks(options, loaders), options.include(),
                options.exclude(), errors);

        StartupTimer.step("module-access+reports");
        Clock clock = Clock.system();
        SocketTracker tracker = new SocketTracker(clock, SocketHooks::watchWrites);
        long graceNanos = options.grace().toNanos();
        LeakDetector detector = new LeakDetector(tracker, graceNanos, dispatcher, errors);
        SocketHooks.install(new JdkSocketEvents(new JdkSockets(), tracker, errors, loaders));
        StartupTimer.step("tracker+jdk-access");
        SocketInstrumentation.install(instrumentation,
                (type, failure) -> errors.record("instrumenting " + type, failure));
        StartupTimer.step("instrumentation");
        DetectorThread.start(detector, LeakDetector.scanIntervalNanos(graceNanos), errors);
        StartupTimer.step("detector-thread");

        System.err.println("closewait: watching sockets" + (attached ? " (attached)" : "") + "; grace "
                + OptionsParser.format(options.grace())
                + (options.report() == null ? "" : ", JSON report " + options.report().toAbsolutePath()));
    }

    private static List<ReportSink> sinks(AgentOptions options, ClassLoaderCandidates loaders) {
        List<ReportSink> sinks = new ArrayList<>();
        LeakText text = new LeakText(options.stackDepth());
        AppLog log = switch (options.log()) {
            case AUTO -> new ApplicationLog(loaders);
            case STDERR -> new StderrLog();
            case OFF -> AppLog.OFF;
        };
        if (options.log() != LogTarget.OFF) {
            sinks.add(new LogSink(log, text));
        }
        if (options.report() != null) {
            try {
                sinks.add(JsonLinesSink.open(options.report(), new JsonLines(options.stackDepth())));
            } catch (Exception e) {
                System.err.println("closewait: option 'report' names a file that cannot be written ("
                        + options.report() + ": " + e + "); no JSON report will be written.");
            }
        }
        return sinks;
    }
}
