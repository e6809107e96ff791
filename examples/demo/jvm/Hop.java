package dev.traceprop.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.traceprop.Extraction;
import dev.traceprop.Header;
import dev.traceprop.SpanContext;
import dev.traceprop.Traceprop_uniffiKt;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The demo's JVM hop: plain Java on the Kotlin (uniffi) binding, as a Spring
 * service would use it. GET /hop extracts {@code datadog,baggage} (what the C
 * hop sends), starts a child span, and answers its span as JSON; it is the
 * last hop. Usage: {@code Hop <port>}.
 */
public final class Hop {
    private static final SecureRandom RANDOM = new SecureRandom();

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.createContext("/health", ex -> reply(ex, "{\"ok\":true}"));
        server.createContext("/hop", Hop::hop);
        server.start();
    }

    private static void hop(HttpExchange ex) throws IOException {
        List<Header> headers = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : ex.getRequestHeaders().entrySet()) {
            for (String v : e.getValue()) {
                headers.add(new Header(e.getKey(), v));
            }
        }
        String span = hex(8);
        String body;
        try {
            Extraction x = Traceprop_uniffiKt.extract(headers, "datadog,baggage", "first");
            SpanContext ctx = x.getContext();
            String trace = ctx != null ? ctx.getTraceId() : hex(16);
            String parent = ctx != null ? "\"" + ctx.getSpanId() + "\"" : "null";
            StringBuilder received = new StringBuilder("{");
            for (Header h : headers) {
                String name = h.getName().toLowerCase();
                if (name.startsWith("x-datadog-") || name.equals("baggage")) {
                    if (received.length() > 1) received.append(',');
                    received.append(json(name)).append(':').append(json(h.getValue()));
                }
            }
            received.append('}');
            body = "{\"spans\":[{\"service\":\"jvm\",\"language\":\"java\",\"trace_id\":\"" + trace
                    + "\",\"span_id\":\"" + span + "\",\"parent_id\":" + parent
                    + ",\"extracted_from\":" + (x.getSource() == null ? "null" : json(x.getSource()))
                    + ",\"received\":" + received + ",\"sent\":{}}]}";
        } catch (Exception e) {
            body = "{\"spans\":[{\"error\":" + json("jvm: " + e) + "}]}";
        }
        reply(ex, body);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        b[bytes - 1] |= 1;
        return HexFormat.of().formatHex(b);
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void reply(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
