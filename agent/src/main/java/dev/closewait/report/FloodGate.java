package dev.closewait.report;

import dev.closewait.text.SafeText;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keeps a flood of similar reports from flooding the log: per one-minute window, at most a few lines per kind of
 * event and allocation site and a cap over all of them; the rest are counted and summed up in one line per site
 * when the window ends ("1,243 more like #12 ..."). Nothing is lost: the JSON report and the metrics keep every
 * event. Called on the detector thread only.
 */
final class FloodGate {

    static final int MAX_KEYS = 1_000;

    private final int perKey;
    private final int total;
    private final long windowNanos;
    private final Map<String, Window> windows = new LinkedHashMap<>();
    private long windowStart;
    private boolean started;
    private int admitted;
    private boolean noticed;

    private static final class Window {
        final String example;
        int admitted;
        long suppressed;

        Window(String example) {
            this.example = example;
        }
    }

    FloodGate(int perKey, int total, long windowNanos) {
        this.perKey = perKey;
        this.total = total;
        this.windowNanos = windowNanos;
    }

    /**
     * Whether to log this event in full. {@code key} groups similar events (kind and allocation site),
     * {@code example} describes this one for the summary should later ones of its key be held back.
     */
    boolean admit(String key, String example, long now) {
        if (!started) {
            started = true;
            windowStart = now;
        }
        Window window = windows.get(key);
        if (window == null) {
            String groupKey = windows.size() < MAX_KEYS ? key : "other";
            window = windows.get(groupKey);
            if (window == null) {
                window = new Window(example);
                windows.put(groupKey, window);
            }
        }
        if (window.admitted < perKey && admitted < total) {
            window.admitted++;
            admitted++;
            return true;
        }
        window.suppressed++;
        return false;
    }

    /**
     * After an event {@link #admit} held back: the first time in this window, a line that says so and when the
     * summary comes, so that the log is not silent for up to a window while reports pile up (a new-user trial saw 10
     * lines, then nothing for a minute, 2026-12-02); null afterwards, whatever the number of keys.
     */
    String heldBackNotice(String example, long now) {
        if (noticed) {
            return null;
        }
        noticed = true;
        return "more like " + SafeText.escape(example) + " are held back from the log until this window ends in "
                + Durations.human(Math.max(0, windowStart + windowNanos - now)) + ", then summed up per site (the "
                + "JSON report and the metrics have them all).";
    }

    /** Once the window is over: one line per key whose events were held back, and a fresh window. */
    List<String> endOfWindow(long now) {
        if (!started || now - windowStart < windowNanos) {
            return List.of();
        }
        return summaries(now);
    }

    /** At exit: the summaries of the window so far, over or not. */
    List<String> finish(long now) {
        return started ? summaries(now) : List.of();
    }

    private List<String> summaries(long now) {
        List<String> summaries = new ArrayList<>();
        for (Window window : windows.values()) {
            if (window.suppressed > 0) {
                summaries.add(String.format(Locale.ROOT, "%,d more like %s in the last %s were not logged one by one"
                                + " (the JSON report and the metrics have them all).",
                        window.suppressed, SafeText.escape(window.example), Durations.human(now - windowStart)));
            }
        }
        windows.clear();
        admitted = 0;
        noticed = false;
        windowStart = now;
        return summaries;
    }
}
