package dev.closewait.report;

import dev.closewait.core.Churn;
import dev.closewait.core.Endpoints;

import java.util.List;
import java.util.Locale;

/** The WARN line for connection churn: what the application does, what it costs, which code, and the fix. */
public final class ChurnText {

    static final String DOCS = "docs/fixing-leaks.md#time_wait-connection-churn";

    private final int stackDepth;

    public ChurnText(int stackDepth) {
        this.stackDepth = stackDepth;
    }

    public String churn(Churn churn) {
        StringBuilder text = new StringBuilder(1024);
        text.append("Connection churn to ").append(Endpoints.format(churn.remote())).append(": the application closed ")
                .append(churn.closes()).append(" connections to it first within ").append(churn.windowSeconds())
                .append("s (churn-warn ").append(churn.threshold()).append("). Each leaves a socket in TIME_WAIT for ")
                .append("60s holding one of the ").append(churn.portRange()).append(" ephemeral ports (")
                .append(percent(churn.portRangeShare()))
                .append(" in use now); when they run out, connect() to this destination fails with "
                        + "\"Cannot assign requested address\". ");
        if (churn.site() != null) {
            text.append("Opened by ").append(churn.site()).append(" (").append(churn.siteCloses())
                    .append(" of them). ");
        } else {
            text.append("No application frame was recorded for these connections. ");
        }
        text.append("Fix: reuse connections (HTTP keep-alive, one pooled client shared by all requests) instead of "
                + "one connection per request; if each connection must end after one request, make the server close "
                + "first (the client sends \"Connection: close\" and reads the response to EOF before closing). See "
                + DOCS + ".");
        List<String> frames = StackFrames.of(churn.stack(), stackDepth);
        if (!frames.isEmpty()) {
            text.append(System.lineSeparator()).append("  Opened at:");
            for (String frame : frames) {
                text.append(System.lineSeparator()).append("    at ").append(frame);
            }
        }
        return text.toString();
    }

    /** 0.1063 gives "10.6%". */
    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
