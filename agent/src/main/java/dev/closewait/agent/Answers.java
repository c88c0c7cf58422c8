package dev.closewait.agent;

import dev.closewait.core.Clock;
import dev.closewait.core.LeakDetector;
import dev.closewait.core.Suspect;
import dev.closewait.report.JsonLines;
import dev.closewait.report.SuspectTable;
import dev.closewait.text.SafeText;

import java.util.List;
import java.util.function.Function;

/** What the agent answers through the {@link Mailbox}, on the detector thread: suspects as a table or JSON, or status. */
final class Answers implements Function<String, String> {

    private final LeakDetector detector;
    private final Clock clock;
    private final JsonLines json;
    private final StatusReport status;

    Answers(LeakDetector detector, Clock clock, JsonLines json, StatusReport status) {
        this.detector = detector;
        this.clock = clock;
        this.json = json;
        this.status = status;
    }

    @Override
    public String apply(String request) {
        switch (request) {
            case "table", "json" -> {
                List<Suspect> suspects = detector.suspects(Mailbox.MAX_SUSPECTS);
                long now = clock.nanoTime(); // ages at the time of asking, not of detection
                if (request.equals("table")) {
                    return SuspectTable.render(suspects, now);
                }
                StringBuilder lines = new StringBuilder();
                suspects.forEach(suspect -> lines.append(json.suspect(suspect, now)).append('\n'));
                return lines.toString();
            }
            case "status" -> {
                return status.render();
            }
            default -> {
                return "closewait: unsupported request '" + SafeText.bounded(request, 64) + "'\n";
            }
        }
    }
}
