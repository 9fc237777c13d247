package io.linguaflow.streams.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers for requests Jetty refuses before any route sees them (a URI with {@code %00}, a bad %-escape or an ambiguous
 * path; a header too large): the same JSON error as the routes' and the same security headers, never Jetty's HTML page
 * or exception text.
 */
final class RejectedRequests extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        QueryService.SECURITY_HEADERS.forEach((name, value) -> response.getHeaders().put(name, value));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        ObjectNode e = Reply.JSON.createObjectNode();
        e.put("status", code);
        e.put("error", code == 400 ? "malformed request: the server refuses this URI (a %00 or other encoded control character, a bad "
                + "%-escape, or an ambiguous path)" : "the request was refused (HTTP " + code + ")");
        response.write(true, ByteBuffer.wrap(e.toString().getBytes(StandardCharsets.UTF_8)), callback);
    }
}
