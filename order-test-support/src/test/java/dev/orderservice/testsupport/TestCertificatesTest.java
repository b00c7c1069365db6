package dev.orderservice.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCertificatesTest {

  @TempDir Path directory;

  @Test
  void aClientTrustingTheCaCompletesAMutualHandshakeWithTheServerByHostName() throws Exception {
    TestCertificates tls = TestCertificates.builder().build(directory);

    assertThat(handshake(tls, tls, "localhost")).isEqualTo("CN=orders");
    assertThat(Files.getPosixFilePermissions(tls.serverKey()))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readString(tls.caCertificate())).startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void anotherCaOrAnotherHostNameIsRefused() throws Exception {
    TestCertificates tls = TestCertificates.builder().build(directory.resolve("one"));
    TestCertificates other = TestCertificates.builder().build(directory.resolve("two"));
    TestCertificates elsewhere =
        TestCertificates.builder().serverNames("db.example.test").build(directory.resolve("three"));

    assertThatThrownBy(() -> handshake(tls, other, "localhost"))
        .isInstanceOf(SSLHandshakeException.class);
    assertThatThrownBy(() -> handshake(elsewhere, elsewhere, "localhost"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  /** The client's certificate subject as the server saw it. */
  private static String handshake(TestCertificates server, TestCertificates client, String host)
      throws Exception {
    SSLContext serverContext = context(server.serverKeyStore(), server);
    SSLContext clientContext = context(client.clientKeyStore(), client);
    try (SSLServerSocket listening =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listening.setNeedClientAuth(true);
      CompletableFuture<String> seen =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket accepted = (SSLSocket) listening.accept()) {
                  accepted.startHandshake();
                  return accepted.getSession().getPeerPrincipal().getName();
                } catch (Exception e) {
                  return "refused: " + e;
                }
              });
      try (SSLSocket socket =
          (SSLSocket)
              clientContext.getSocketFactory().createSocket(host, listening.getLocalPort())) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
      }
      return seen.get();
    }
  }

  private static SSLContext context(Path keyStore, TestCertificates trusted) throws Exception {
    char[] password = trusted.password().toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      keys.load(in, password);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(trusted.trustStore())) {
      trust.load(in, password);
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return context;
  }
}
