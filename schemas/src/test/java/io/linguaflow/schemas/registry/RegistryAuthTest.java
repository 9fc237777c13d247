package io.linguaflow.schemas.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.linguaflow.schemas.avro.Sentence;
import io.linguaflow.schemas.client.KafkaClientProperties;
import io.linguaflow.schemas.deadletter.DeadLetters;
import io.linguaflow.schemas.serde.AvroDeserializer;
import io.linguaflow.schemas.serde.AvroSerializer;
import io.linguaflow.schemas.serde.SerdeConfig;
import io.linguaflow.schemas.testkit.TestRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client behind HTTPS with a self-signed certificate (generated with keytool) and basic authentication,
 * configured only through client properties as a properties file gives them: a JDK HTTPS server in front of the real
 * registry server checks the {@code Authorization} header and passes authorised calls on.
 */
class RegistryAuthTest {

    private static final String USER_INFO = "alice:s3cr3t-pw";

    @TempDir
    static Path tmp;

    private static HttpsServer proxy;
    private static Path trustStore;
    private static final AtomicInteger authorised = new AtomicInteger();
    private static final AtomicInteger refused = new AtomicInteger();

    @BeforeAll
    static void startProxy() throws Exception {
        Path keyStore = tmp.resolve("registry.p12");
        trustStore = tmp.resolve("trust.p12");
        Path cert = tmp.resolve("registry.der");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", "server-pw", "-keypass", "server-pw");
        keytool("-exportcert", "-alias", "registry", "-keystore", keyStore.toString(), "-storepass", "server-pw", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", "trust-pw");

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, "server-pw".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "server-pw".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        String upstream = URI.create(TestRegistry.shared().url()).resolve("/").toString();
        HttpClient http = HttpClient.newHttpClient();
        String expected = "Basic " + Base64.getEncoder().encodeToString(USER_INFO.getBytes(StandardCharsets.UTF_8));
        proxy = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.setHttpsConfigurator(new HttpsConfigurator(tls));
        proxy.createContext("/", exchange -> {
            try (exchange) {
                if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    refused.incrementAndGet();
                    reply(exchange, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
                    return;
                }
                authorised.incrementAndGet();
                byte[] body = exchange.getRequestBody().readAllBytes();
                HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(upstream).resolve(exchange.getRequestURI().toString()))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
                String type = exchange.getRequestHeaders().getFirst("Content-Type");
                if (type != null) {
                    forward.header("Content-Type", type);
                }
                HttpResponse<String> answer = http.send(forward.build(), HttpResponse.BodyHandlers.ofString());
                reply(exchange, answer.statusCode(), answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        proxy.start();
    }

    @AfterAll
    static void stopProxy() {
        proxy.stop(0);
    }

    private String url() {
        return "https://127.0.0.1:" + proxy.getAddress().getPort() + URI.create(TestRegistry.shared().url()).getPath();
    }

    /** The serde config as {@code KafkaClientOptions} would hand it over from a properties file. */
    private Map<String, Object> config(Map<String, String> fileProperties) throws Exception {
        Path file = tmp.resolve("client-" + UUID.randomUUID() + ".properties");
        StringBuilder text = new StringBuilder();
        fileProperties.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text);
        Map<String, Object> config = new HashMap<>(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url(), SerdeConfig.MAX_ATTEMPTS, "1"));
        return KafkaClientProperties.applyTo(config, KafkaClientProperties.load(file, Map.of()));
    }

    @Test
    void basicAuthOverHttpsWithACustomTruststore() throws Exception {
        Map<String, Object> config = config(Map.of(
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", USER_INFO,
                "schema.registry.ssl.truststore.location", trustStore.toString(),
                "schema.registry.ssl.truststore.password", "trust-pw",
                "schema.registry.ssl.truststore.type", "PKCS12"));
        AvroSerializer<Sentence> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        AvroDeserializer<Sentence> deserializer = new AvroDeserializer<>(Sentence.class);
        deserializer.configure(config, false);
        Sentence s = Sentence.newBuilder().setCorpus("c").setLang("en").setMeaningId("1").setText("hello").setIndex(0).build();
        int before = authorised.get();
        String topic = "auth-" + UUID.randomUUID();
        byte[] bytes = serializer.serialize(topic, s);
        assertEquals(s, deserializer.deserialize(topic, bytes));
        assertTrue(authorised.get() > before, "the calls went through the authenticating HTTPS front");
        assertTrue(new SchemaRegistryClient(TestRegistry.shared().url()).subjects().contains(topic + "-value"),
                "registered in the real registry behind it");
    }

    @Test
    void aWrongPasswordIsRefusedWithoutEchoingIt() throws Exception {
        Map<String, Object> config = config(Map.of("basic.auth.user.info", "alice:wrong-pw",
                "schema.registry.ssl.truststore.location", trustStore.toString(),
                "schema.registry.ssl.truststore.password", "trust-pw"));
        AvroSerializer<Sentence> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        int before = refused.get();
        KafkaException e = assertThrows(KafkaException.class, () -> serializer.serialize("t",
                Sentence.newBuilder().setCorpus("c").setLang("en").setMeaningId("1").setText("x").setIndex(0).build()));
        String text = DeadLetters.describe(e);
        assertTrue(text.contains("schema registry refused to register a schema under subject 't-value'") && text.contains("HTTP 401"), text);
        assertFalse(text.contains("wrong-pw"), text);
        assertEquals(before + 1, refused.get(), "a 401 is not retried");
    }

    @Test
    void withoutTheTruststoreTheSelfSignedCertificateIsNotTrusted() throws Exception {
        AvroSerializer<Sentence> serializer = new AvroSerializer<>();
        serializer.configure(config(Map.of("basic.auth.user.info", USER_INFO)), false);
        KafkaException e = assertThrows(KafkaException.class, () -> serializer.serialize("t",
                Sentence.newBuilder().setCorpus("c").setLang("en").setMeaningId("1").setText("x").setIndex(0).build()));
        String text = DeadLetters.describe(e);
        assertTrue(text.contains("unreachable (SSLHandshakeException"), text);
    }

    @Test
    void badRegistrySettingsAreNamed() throws Exception {
        for (Map.Entry<Map<String, String>, String> c : Map.of(
                Map.of("schema.registry.ssl.truststore.location", tmp.resolve("none.p12").toString()),
                "registry truststore " + tmp.resolve("none.p12") + " does not exist",
                Map.of("schema.registry.ssl.truststore.location", trustStore.toString(), "schema.registry.ssl.truststore.password", "nope"),
                "cannot read registry truststore " + trustStore,
                Map.of("basic.auth.user.info", "no-colon"), "registry basic auth user info must be 'user:password'",
                Map.of("basic.auth.credentials.source", "SASL_INHERIT"),
                "Invalid value SASL_INHERIT for configuration basic.auth.credentials.source: only USER_INFO is supported").entrySet()) {
            KafkaException e = assertThrows(KafkaException.class, () -> new AvroSerializer<Sentence>().configure(config(c.getKey()), false));
            assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
            assertFalse(e.getMessage().contains("nope"), "no password in the message: " + e.getMessage());
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool " + List.of(args) + " failed: " + out);
        }
    }
}
