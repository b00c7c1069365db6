package dev.orderservice.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority, a server certificate and a client certificate made for one test, with
 * the files TLS servers and clients read: PEM for PostgreSQL and libpq-style settings, PKCS#12 key
 * and trust stores for Kafka and Java clients, a PKCS#8 DER key for pgjdbc's {@code sslkey}.
 * Nothing is checked in: every key is generated (EC P-256) when the test runs, valid for a day.
 *
 * <pre>{@code
 * TestCertificates tls = TestCertificates.builder().serverNames("localhost", "127.0.0.1")
 *     .clientName("orders").build(tempDir);
 * tls.serverKeyStore(); tls.trustStore(); tls.password();
 * }</pre>
 *
 * <p>A second {@code build} gives an unrelated CA: use it for "wrong CA" tests. Server names that
 * do not include the host a client dials give "wrong host name" tests.
 */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path directory;
  private final String password;

  private TestCertificates(Path directory, String password) {
    this.directory = directory;
    this.password = password;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The password of every key and trust store (and of nothing else: PEM keys are unencrypted). */
  public String password() {
    return password;
  }

  /** The CA certificate, PEM ({@code sslrootcert}, PostgreSQL's {@code ssl_ca_file}). */
  public Path caCertificate() {
    return directory.resolve("ca.crt");
  }

  /** The server certificate, PEM (PostgreSQL's {@code ssl_cert_file}). */
  public Path serverCertificate() {
    return directory.resolve("server.crt");
  }

  /** The server's private key, unencrypted PKCS#8 PEM, mode 0600 (PostgreSQL's ssl_key_file). */
  public Path serverKey() {
    return directory.resolve("server.key");
  }

  /** The server's key and certificate chain, PKCS#12 ({@code ssl.keystore.location}). */
  public Path serverKeyStore() {
    return directory.resolve("server.p12");
  }

  /** The CA alone, PKCS#12 ({@code ssl.truststore.location} of servers and clients). */
  public Path trustStore() {
    return directory.resolve("truststore.p12");
  }

  /** The client certificate, PEM ({@code sslcert}). */
  public Path clientCertificate() {
    return directory.resolve("client.crt");
  }

  /** The client's private key, unencrypted PKCS#8 PEM, mode 0600. */
  public Path clientKey() {
    return directory.resolve("client.key");
  }

  /** The client's private key, unencrypted PKCS#8 DER, mode 0600 (pgjdbc's {@code sslkey}). */
  public Path clientKeyDer() {
    return directory.resolve("client.pk8");
  }

  /** The client's key and certificate chain, PKCS#12 (Kafka clients' mutual TLS). */
  public Path clientKeyStore() {
    return directory.resolve("client.p12");
  }

  /** What a test asks for; {@link #build} writes the files. */
  public static final class Builder {
    private final List<String> serverNames = new ArrayList<>(List.of("localhost", "127.0.0.1"));
    private String clientName = "orders";
    private String password = "test-store-" + Long.toHexString(new SecureRandom().nextLong());

    private Builder() {}

    /** Host names and IP addresses the server certificate is valid for (its SANs). */
    public Builder serverNames(String... names) {
      serverNames.clear();
      serverNames.addAll(List.of(names));
      return this;
    }

    /** The client certificate's common name (PostgreSQL maps it to a user with clientcert). */
    public Builder clientName(String name) {
      clientName = name;
      return this;
    }

    public Builder password(String storePassword) {
      password = storePassword;
      return this;
    }

    /** Generates the CA, server and client certificates and writes them into {@code directory}. */
    public TestCertificates build(Path directory) {
      try {
        Files.createDirectories(directory);
        TestCertificates files = new TestCertificates(directory, password);
        KeyPair caKeys = newKeys();
        X500Name caName = new X500Name("CN=order-service test CA " + SERIAL.incrementAndGet());
        X509Certificate ca = sign(caName, caKeys, caName, caKeys.getPublic(), true, null, null);
        KeyPair serverKeys = newKeys();
        X509Certificate server =
            sign(
                caName,
                caKeys,
                new X500Name("CN=" + serverNames.get(0)),
                serverKeys.getPublic(),
                false,
                serverNames,
                KeyPurposeId.id_kp_serverAuth);
        KeyPair clientKeys = newKeys();
        X509Certificate client =
            sign(
                caName,
                caKeys,
                new X500Name("CN=" + clientName),
                clientKeys.getPublic(),
                false,
                null,
                KeyPurposeId.id_kp_clientAuth);

        writePem(files.caCertificate(), "CERTIFICATE", ca.getEncoded(), false);
        writePem(files.serverCertificate(), "CERTIFICATE", server.getEncoded(), false);
        writePem(files.serverKey(), "PRIVATE KEY", serverKeys.getPrivate().getEncoded(), true);
        writePem(files.clientCertificate(), "CERTIFICATE", client.getEncoded(), false);
        writePem(files.clientKey(), "PRIVATE KEY", clientKeys.getPrivate().getEncoded(), true);
        writePrivate(files.clientKeyDer(), clientKeys.getPrivate().getEncoded());
        writeKeyStore(files.serverKeyStore(), "server", serverKeys.getPrivate(), server, ca);
        writeKeyStore(files.clientKeyStore(), "client", clientKeys.getPrivate(), client, ca);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        store(trust, files.trustStore());
        return files;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException | OperatorCreationException e) {
        throw new IllegalStateException("could not make test certificates", e);
      }
    }

    private void writeKeyStore(
        Path file, String alias, PrivateKey key, X509Certificate certificate, X509Certificate ca)
        throws GeneralSecurityException, IOException {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(alias, key, password.toCharArray(), new Certificate[] {certificate, ca});
      store(keys, file);
    }

    private void store(KeyStore keys, Path file) throws GeneralSecurityException, IOException {
      try (OutputStream out = Files.newOutputStream(file)) {
        keys.store(out, password.toCharArray());
      }
    }
  }

  private static KeyPair newKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(
      X500Name issuer,
      KeyPair issuerKeys,
      X500Name subject,
      java.security.PublicKey subjectKey,
      boolean authority,
      List<String> names,
      KeyPurposeId purpose)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer,
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            subject,
            subjectKey);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
    if (authority) {
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    }
    if (names != null && !names.isEmpty()) {
      List<GeneralName> alternatives = new ArrayList<>();
      for (String name : names) {
        alternatives.add(
            isAddress(name)
                ? new GeneralName(GeneralName.iPAddress, name)
                : new GeneralName(GeneralName.dNSName, name));
      }
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(alternatives.toArray(GeneralName[]::new)));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static boolean isAddress(String name) {
    if (!name.matches("[0-9.]+") && !name.contains(":")) {
      return false;
    }
    try {
      InetAddress.getByName(name);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void writePem(Path file, String type, byte[] der, boolean secret)
      throws IOException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    if (secret) {
      writePrivate(file, pem.getBytes(StandardCharsets.US_ASCII));
    } else {
      Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }
  }

  private static void writePrivate(Path file, byte[] content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(file, content);
  }
}
