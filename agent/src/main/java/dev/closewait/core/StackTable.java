package dev.closewait.core;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared {@link CallSite} per distinct stack. A captured stack holds its frames natively, about 700 bytes per
 * 32 frames; most sockets of an application are opened from a handful of places, so the detector thread swaps the
 * stacks of sockets that stay open for shared ones, keyed by their frames. Reports read the same frames either
 * way. Bounded: past {@link #MAX_STACKS} distinct stacks, new ones stay unshared.
 */
final class StackTable {

    static final int MAX_STACKS = 4096;

    private final Map<Frames, CallSite> stacks = new ConcurrentHashMap<>();

    /** The shared call site with the frames of {@code site}; {@code site} itself if the table is full. */
    CallSite share(CallSite site) {
        if (site == null || site.isShared()) {
            return site;
        }
        Frames frames = new Frames(site.getStackTrace());
        CallSite shared = stacks.get(frames);
        if (shared != null) {
            return shared;
        }
        if (stacks.size() >= MAX_STACKS) {
            return site;
        }
        CallSite created = CallSite.shared(frames.elements);
        CallSite raced = stacks.putIfAbsent(frames, created);
        return raced != null ? raced : created;
    }

    int size() {
        return stacks.size();
    }

    private static final class Frames {
        private final StackTraceElement[] elements;
        private final int hash;

        Frames(StackTraceElement[] elements) {
            this.elements = elements;
            this.hash = Arrays.hashCode(elements);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Frames frames && frames.hash == hash && Arrays.equals(frames.elements, elements);
        }
    }
}
