package io.linguaflow.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How {@link SchemaRegistryClient} authenticates: HTTP basic credentials (Confluent's {@code basic.auth.user.info}) and
 * the certificates it trusts for {@code https://} (a custom truststore; the JDK's default ones when null).
 *
 * @param authorization the {@code Authorization} header value, or null for none
 * @param sslContext    TLS context trusting the registry's certificate, or null for the JDK default
 */
public record RegistryAccess(String authorization, SSLContext sslContext) {

    /** No credentials, the JDK's trusted certificates. */
    public static final RegistryAccess NONE = new RegistryAccess(null, null);

    /** Never print the credentials. */
    @Override
    public String toString() {
        return "RegistryAccess[basicAuth=" + (authorization != null) + ", customTruststore=" + (sslContext != null) + "]";
    }

    /** {@code Basic base64(user:password)} from {@code user:password}. */
    public static String basicAuthorization(String userInfo) {
        if (userInfo == null || userInfo.indexOf(':') < 1) {
            throw new IllegalArgumentException("registry basic auth user info must be 'user:password'");
        }
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A TLS context trusting the certificates of a keystore file.
     *
     * @param type keystore type, e.g. {@code PKCS12} or {@code JKS}; null for the JDK's default
     * @throws IllegalArgumentException naming the file when it cannot be read as a truststore
     */
    public static SSLContext trustStore(Path location, String password, String type) {
        try (InputStream in = Files.newInputStream(location)) {
            KeyStore store = KeyStore.getInstance(type == null || type.isBlank() ? KeyStore.getDefaultType() : type.trim());
            store.load(in, password == null ? null : password.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("registry truststore " + location + " does not exist");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read registry truststore " + location + " (type "
                    + (type == null ? KeyStore.getDefaultType() : type) + "): " + e.getMessage(), e);
        }
    }
}
