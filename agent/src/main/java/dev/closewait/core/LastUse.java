package dev.closewait.core;

/**
 * Where the application last used a socket: the first read or write of the last request or reply the agent saw a
 * stack for (see {@link SocketTracker#used}). {@code nanoTime} is monotonic; {@code site} holds the frames.
 */
public record LastUse(long nanoTime, String thread, boolean write, CallSite site) {
}
