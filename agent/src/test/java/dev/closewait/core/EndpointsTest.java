package dev.closewait.core;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointsTest {

    private static final InetSocketAddress LOCAL = Harness.address(127, 0, 0, 1, 8080);
    private static final InetSocketAddress REMOTE = Harness.address(10, 0, 0, 2, 51234);

    @Test
    void formatsIpv4AsAddressColonPort() {
        assertEquals("127.0.0.1:8080", Endpoints.format(LOCAL));
    }

    @Test
    void formatsIpv6InBrackets() throws UnknownHostException {
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(loopback), 443);

        assertEquals("[0:0:0:0:0:0:0:1]:443", Endpoints.format(address));
    }

    @Test
    void formatsAnUnresolvedAddressByItsHostName() {
        assertEquals("db.example.invalid:5432",
                Endpoints.format(InetSocketAddress.createUnresolved("db.example.invalid", 5432)));
    }

    @Test
    void formatsAnUnknownAddressAsNull() {
        assertNull(Endpoints.format(null));
    }

    @Test
    void isCompleteOnlyWithDescriptorAndBothAddresses() {
        assertTrue(new Endpoints(0, LOCAL, REMOTE).complete());
        assertFalse(new Endpoints(-1, LOCAL, REMOTE).complete());
        assertFalse(new Endpoints(3, null, REMOTE).complete());
        assertFalse(new Endpoints(3, LOCAL, null).complete());
        assertFalse(Endpoints.UNKNOWN.complete());
    }

    @Test
    void fillsOnlyUnknownPartsFromTheOther() {
        Endpoints partial = new Endpoints(-1, LOCAL, null);
        Endpoints other = new Endpoints(5, REMOTE, REMOTE);

        assertEquals(new Endpoints(5, LOCAL, REMOTE), partial.orElse(other));
        assertEquals(new Endpoints(7, LOCAL, REMOTE), new Endpoints(7, LOCAL, REMOTE).orElse(other));
        assertEquals(Endpoints.UNKNOWN, Endpoints.UNKNOWN.orElse(Endpoints.UNKNOWN));
    }
}
