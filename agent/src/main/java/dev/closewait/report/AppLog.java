package dev.closewait.report;

/** A place for text reports: the application's SLF4J logger named {@code closewait}, or standard error. */
public interface AppLog {

    void warn(String message);

    void info(String message);

    AppLog OFF = new AppLog() {
        @Override
        public void warn(String message) {
        }

        @Override
        public void info(String message) {
        }
    };
}
