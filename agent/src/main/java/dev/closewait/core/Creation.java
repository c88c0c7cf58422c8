package dev.closewait.core;

/**
 * Where a client channel was created, when a thread other than the creating one connected it (see
 * {@link ChannelCreations}): {@code nanoTime} is monotonic, {@code thread} the creating thread's name, {@code site}
 * its stack at the channel's constructor.
 */
public record Creation(long nanoTime, String thread, CallSite site) {
}
