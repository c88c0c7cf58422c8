package dev.closewait.core;

import java.net.InetSocketAddress;

/**
 * Connection churn towards one destination, at the moment it was reported: within the last {@code windowSeconds},
 * the application closed {@code closes} connections to {@code remote} first (no EOF read before close()), each of
 * which leaves a socket in TIME_WAIT on this host for 60 s and holds one of the {@code portRange} ephemeral ports
 * that connections to this destination can use.
 *
 * @param remote              the destination: the peer's address and port
 * @param closes              active closes to it in the window (approximate: see {@link ChurnWindow})
 * @param windowSeconds       the window's length
 * @param portRange           ephemeral ports this host hands out (from /proc/sys/net/ipv4/ip_local_port_range, or
 *                            Linux's default 28,232)
 * @param threshold           closes above which churn is reported ({@code churn-warn})
 * @param site                the first application frame that opened most of those connections,
 *                            {@code pkg.Class.method}; null when no stack had one or none was recorded
 * @param siteCloses          of {@code closes}, about how many came from {@code site}
 * @param stack               one recorded allocation stack of {@code site}; null when none was recorded
 * @param detectedNanos       monotonic time of the report
 * @param detectedEpochMillis the same in wall time
 */
public record Churn(InetSocketAddress remote, long closes, int windowSeconds, int portRange, long threshold,
                    String site, long siteCloses, CallSite stack, long detectedNanos, long detectedEpochMillis) {

    /** {@code closes} as a share of the port range: 0.1 is 10 %. */
    public double portRangeShare() {
        return portRange <= 0 ? 0 : (double) closes / portRange;
    }
}
