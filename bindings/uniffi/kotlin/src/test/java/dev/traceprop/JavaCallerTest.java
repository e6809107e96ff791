package dev.traceprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Plain Java calling the Kotlin API, as a Spring service (or gateway filter) would. */
class JavaCallerTest {
    private static final String TRACEPARENT =
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void extractsAndReinjectsLikeAGatewayFilter() throws Exception {
        List<Header> incoming = List.of(
                new Header("Host", "api.example.com"),
                new Header("traceparent", TRACEPARENT),
                new Header("baggage", "userId=Am%C3%A9lie"));
        Extraction x = Traceprop_uniffiKt.extract(incoming, "tracecontext,baggage", "last");
        SpanContext ctx = x.getContext();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", ctx.getTraceId());
        assertEquals(Boolean.TRUE, ctx.getSampled());
        assertEquals("Amélie", x.getBaggage().get(0).getValue());

        List<Header> out = Traceprop_uniffiKt.inject(
                new Propagation(ctx, x.getTracestate(), x.getBaggage()), "tracecontext,baggage");
        assertTrue(out.contains(new Header("traceparent", TRACEPARENT)));
        assertTrue(out.contains(new Header("baggage", "userId=Am%C3%A9lie")));
    }

    @Test
    void badInputIsAnExceptionWithAStableKind() {
        TracepropException.Invalid e = assertThrows(TracepropException.Invalid.class,
                () -> Traceprop_uniffiKt.traceIdFromXrayRoot("not-a-root"));
        assertEquals("invalid_length", e.getKind());
        TracepropException.Invalid unknown = assertThrows(TracepropException.Invalid.class,
                () -> Traceprop_uniffiKt.extract(List.of(), "tracecontext,zipkin", "last"));
        assertEquals("unknown_propagator", unknown.getKind());
    }

    @Test
    void invalidHeadersAreReportedNotThrown() throws Exception {
        Extraction x = Traceprop_uniffiKt.extract(
                List.of(new Header("traceparent", "00-zz")), "tracecontext", "last");
        assertNull(x.getContext());
        assertEquals("tracecontext", x.getRejections().get(0).getFormat());
    }

    @Test
    void convertsIds() throws Exception {
        DatadogTraceId dd = Traceprop_uniffiKt.traceIdToDatadog("4bf92f3577b34da6a3ce929d0e0e4736");
        assertEquals("11803532876627986230", dd.getDecimal());
        assertEquals("4bf92f3577b34da6", dd.getTid());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736",
                Traceprop_uniffiKt.traceIdFromDatadog("11803532876627986230", "4bf92f3577b34da6"));
        assertEquals("00f067aa0ba902b7", Traceprop_uniffiKt.spanIdFromDecimal("67667974448284343"));
    }
}
