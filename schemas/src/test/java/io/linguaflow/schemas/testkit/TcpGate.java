package io.linguaflow.schemas.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP forwarder in front of a real server (the registry) that a fault test shuts and opens again: while shut,
 * connections to its port are refused and open ones are cut, exactly what a client sees when the server is down;
 * opened again, it forwards to the same server, whose state (registered schema ids) survived. Used instead of
 * restarting the registry, whose storage is in memory.
 */
public final class TcpGate implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final String path;
    private final List<Socket> connections = new ArrayList<>();
    private ServerSocket server;

    private TcpGate(String targetHost, int targetPort, int port, String path) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = port;
        this.path = path;
    }

    /** A gate on a free port of 127.0.0.1 forwarding to the server of {@code url}; shut until {@link #open()}. */
    public static TcpGate before(String url) throws IOException {
        URI target = URI.create(url);
        return new TcpGate(target.getHost(), target.getPort(), TestRegistry.freePort(), target.getRawPath());
    }

    /** The URL given to {@link #before}, through this gate. */
    public String url() {
        return "http://127.0.0.1:" + port + path;
    }

    /** Starts forwarding (again) on the same port. */
    public synchronized void open() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        server = s;
        Thread accept = new Thread(() -> acceptLoop(s), "tcp-gate-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    /** Refuses new connections and cuts the open ones. */
    public synchronized void shut() {
        if (server == null) {
            return;
        }
        closeQuietly(server);
        server = null;
        connections.forEach(TcpGate::closeQuietly);
        connections.clear();
    }

    @Override
    public void close() {
        shut();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                synchronized (this) {
                    if (server != s) {
                        closeQuietly(client);
                        closeQuietly(upstream);
                        return;
                    }
                    connections.add(client);
                    connections.add(upstream);
                }
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                return; // shut
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut by shut() or by either side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-gate-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
