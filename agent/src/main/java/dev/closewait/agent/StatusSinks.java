package dev.closewait.agent;

import dev.closewait.config.AgentOptions;
import dev.closewait.jfr.JfrEvents;
import dev.closewait.report.JsonLinesSink;
import dev.closewait.report.LogSink;
import dev.closewait.report.ReportDispatcher;
import dev.closewait.text.SafeText;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The status command's list of places reports and meters go, each with what it is doing now. */
final class StatusSinks {

    private StatusSinks() {
    }

    static List<StatusReport.Sink> of(AgentOptions options, List<ReportDispatcher.Sink> sinks,
                                      ReportDispatcher dispatcher, MetricsPublishing.Published published) {
        List<StatusReport.Sink> list = new ArrayList<>();
        boolean log = sinks.stream().anyMatch(sink -> sink.listener() instanceof LogSink);
        list.add(new StatusReport.Sink("log", () -> switch (options.log()) {
            case AUTO -> "the application's SLF4J logger 'closewait' when it has a binding, else standard error";
            case STDERR -> "standard error";
            case OFF -> "off (log=off)";
        }, log ? () -> dispatcher.failures("log") : null));
        Path report = options.report();
        boolean json = sinks.stream().anyMatch(sink -> sink.listener() instanceof JsonLinesSink);
        list.add(new StatusReport.Sink("JSON report", () -> {
            if (report == null) {
                return "none (no report option)";
            }
            String path = SafeText.escape(report.toAbsolutePath().toString());
            if (!json) {
                return path + ": could not be opened at start (see the application's standard error)";
            }
            try {
                return path + ", " + Files.size(report) + " bytes";
            } catch (Exception e) {
                return path + ", unreadable now (" + e.getClass().getSimpleName() + ")";
            }
        }, json ? () -> dispatcher.failures("json") : null));
        list.add(new StatusReport.Sink("Micrometer", published::micrometer, () -> dispatcher.failures("metrics")));
        list.add(new StatusReport.Sink("Prometheus", () -> SafeText.escape(published.endpoint), null));
        list.add(new StatusReport.Sink("JFR", () -> JfrEvents.available()
                ? "events closewait.Leak and closewait.LeakClosed, committed while a recording runs"
                : "none: this runtime has no jdk.jfr module", () -> dispatcher.failures("jfr")));
        return list;
    }
}
