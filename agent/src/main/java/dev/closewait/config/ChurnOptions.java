package dev.closewait.config;

/**
 * Connection churn detection ({@code churn}, {@code churn-warn}).
 *
 * @param on          whether active closes are counted and churn reported
 * @param warnCount   active closes to one destination within 60 s above which churn is reported; 0 when the
 *                    threshold is a share of the port range instead
 * @param warnPercent the threshold as a percentage of the ephemeral port range (used when {@code warnCount} is 0)
 */
public record ChurnOptions(boolean on, long warnCount, double warnPercent) {

    public static final double DEFAULT_WARN_PERCENT = 10;
    public static final ChurnOptions DEFAULTS = new ChurnOptions(true, 0, DEFAULT_WARN_PERCENT);

    /** The threshold in closes for a host with {@code portRange} ephemeral ports; at least 1. */
    public long threshold(int portRange) {
        if (warnCount > 0) {
            return warnCount;
        }
        return Math.max(1, (long) Math.floor(portRange * warnPercent / 100));
    }

    /** As the option is written: {@code 3000} or {@code 10%}. */
    public String warnText() {
        if (warnCount > 0) {
            return Long.toString(warnCount);
        }
        return (warnPercent == Math.rint(warnPercent) ? Long.toString((long) warnPercent)
                : Double.toString(warnPercent)) + "%";
    }
}
