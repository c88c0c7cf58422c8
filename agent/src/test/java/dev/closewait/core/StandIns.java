package dev.closewait.core;

/** For tests outside this package: an allocation stack standing in for another socket's (adaptive capture). */
public final class StandIns {

    private StandIns() {
    }

    /** {@code captured}, as the stack of the socket {@code socketId} of the same site, standing in for another. */
    public static CallSite of(CallSite captured, long socketId) {
        return CallSite.standingIn(captured, socketId, null);
    }

    /** As {@link #of(CallSite, long)}, for a channel whose creation stack was captured too. */
    public static CallSite of(CallSite captured, long socketId, Creation creation) {
        return CallSite.standingIn(captured, socketId, creation);
    }
}
