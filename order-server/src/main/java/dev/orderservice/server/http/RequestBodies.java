package dev.orderservice.server.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.OrderCodec;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.handlers.form.FormData;
import io.undertow.server.handlers.form.FormDataParser;
import io.undertow.server.handlers.form.FormParserFactory;
import io.undertow.server.handlers.form.MultiPartParserDefinition;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Reads the body of a write request with a hard limit of {@value #MAX_BYTES} bytes, enforced while
 * reading: the exchange's max entity size makes Undertow refuse a larger {@code Content-Length}
 * before reading anything and stop a chunked body once it passes the limit, so no more than the
 * limit is ever buffered. Going over it raises {@link RequestTooBigException}, which {@link
 * ErrorMapping} answers with 413 and a closed connection.
 *
 * <p>The {@code limit*} and {@code *Parser} methods run on the IO thread before the request is
 * dispatched; the {@code read*} methods block and run on a worker. Thread safe.
 */
public final class RequestBodies {

  /** The largest order document: the codec's limit. */
  public static final int MAX_BYTES = OrderCodec.DEFAULT_MAX_BYTES;

  /** Room for the boundaries and part headers around a file of {@link #MAX_BYTES}. */
  public static final int MULTIPART_OVERHEAD = 64 * 1024;

  /** The multipart field that holds the order document, as the seed's curl command sends it. */
  static final String ORDER_FILE_FIELD = "order_file";

  private final FormParserFactory forms;

  public RequestBodies() {
    MultiPartParserDefinition multipart = new MultiPartParserDefinition();
    multipart.setDefaultEncoding(UTF_8.name());
    // Keep the file part in memory (never a temp file) and refuse it past the limit.
    multipart.setFileSizeThreshold(MAX_BYTES);
    multipart.setMaxIndividualFileSize(MAX_BYTES);
    this.forms = FormParserFactory.builder(false).addParsers(multipart).build();
  }

  /** Caps a JSON body at {@link #MAX_BYTES}. IO thread, before dispatch. */
  static void limitJson(HttpServerExchange exchange) {
    exchange.setMaxEntitySize(MAX_BYTES);
  }

  /**
   * A parser for a {@code multipart/form-data} body, with the body capped. IO thread, before
   * dispatch.
   *
   * @throws ApiError 415 if the body is not multipart/form-data with a boundary
   */
  FormDataParser multipartParser(HttpServerExchange exchange) {
    exchange.setMaxEntitySize(MAX_BYTES + MULTIPART_OVERHEAD);
    FormDataParser parser = forms.createParser(exchange);
    if (parser == null) {
      throw ApiError.of(StatusCodes.UNSUPPORTED_MEDIA_TYPE, missingOrderFile());
    }
    return parser;
  }

  /** The whole body. Blocks; worker thread. */
  static byte[] readJson(HttpServerExchange exchange) throws IOException {
    exchange.startBlocking();
    InputStream in = exchange.getInputStream();
    byte[] body = in.readNBytes(MAX_BYTES + 1);
    if (body.length > MAX_BYTES) {
      throw new RequestTooBigException(); // only without a max entity size; kept as a backstop
    }
    return body;
  }

  /**
   * The bytes of the {@value #ORDER_FILE_FIELD} field, a file part or a plain one. Blocks; worker
   * thread.
   *
   * @throws ApiError 400 if the form has no such field
   */
  static byte[] readOrderFile(HttpServerExchange exchange, FormDataParser parser)
      throws IOException {
    exchange.startBlocking();
    FormData form = parser.parseBlocking();
    FormData.FormValue value = form.getFirst(ORDER_FILE_FIELD);
    if (value == null) {
      throw new ApiError(StatusCodes.BAD_REQUEST, Json.error(missingOrderFile(), List.of()));
    }
    byte[] bytes;
    if (value.isFileItem()) {
      try (InputStream in = value.getFileItem().getInputStream()) {
        bytes = in.readNBytes(MAX_BYTES + 1);
      }
    } else {
      bytes = value.getValue().getBytes(UTF_8);
    }
    if (bytes.length > MAX_BYTES) {
      throw new RequestTooBigException();
    }
    return bytes;
  }

  private static String missingOrderFile() {
    return "expected multipart/form-data with a file field " + ORDER_FILE_FIELD;
  }
}
