package dev.closewait.core;

/** The first read that returned EOF on a socket: when, on which thread, and where. */
public record EndOfStream(long nanoTime, String thread, CallSite site) {
}
