package dev.closewait.report;

/** A place for text reports: the application's SLF4J logger named {@code closewait}, or standard error. */
public interface AppLog {

    void warn(String message);

    void info(String message);

    /**
     * A leak report at WARN. {@code message} is one line; {@code keyValues} are its facts for structured logging;
     * {@code trace} carries the stacks as a throwable (null when there are none); {@code text} is the whole report as
     * plain text (message and stacks), for places that cannot render a throwable. By default the text is logged.
     */
    default void leak(String message, java.util.Map<String, Object> keyValues, Throwable trace, String text) {
        warn(text);
    }

    AppLog OFF = new AppLog() {
        @Override
        public void warn(String message) {
        }

        @Override
        public void info(String message) {
        }
    };
}
