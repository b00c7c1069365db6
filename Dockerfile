# The order service image: built with the Maven wrapper, run on a JRE as a non-root user.
#   docker build -t order-service .        or, with Kafka and PostgreSQL: docker compose up --build
#
# The Ubuntu flavour is pinned (noble) because the health check in docker-compose.yml uses the
# curl that Eclipse Temurin's Ubuntu images install; the floating 17-jre tag moves to newer
# Ubuntu releases on its own.

FROM eclipse-temurin:17-jdk-noble AS build
WORKDIR /src

# The build definition alone first, so that the layer holding the dependencies and plugins is
# reused until a pom changes. Every module of the parent pom must be listed here (the reactor
# reads them all; ComposeFileTest checks it). Building the poms without sources fetches what the
# real build needs (dependency:go-offline would not do: it ignores exclusions, and order-cache's
# exclusion of Ehcache's JAXB is what keeps the resolution off unreachable repositories); the
# empty outputs are then removed.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY db/pom.xml db/
COPY order-domain/pom.xml order-domain/
COPY order-persistence/pom.xml order-persistence/
COPY order-cache/pom.xml order-cache/
COPY order-ingest/pom.xml order-ingest/
COPY order-settings/pom.xml order-settings/
COPY order-server/pom.xml order-server/
COPY order-cli/pom.xml order-cli/
COPY order-devstack/pom.xml order-devstack/
COPY order-test-support/pom.xml order-test-support/
COPY bench/pom.xml bench/
RUN ./mvnw -B -ntp -DskipTests package -pl order-server -am \
    && find . -name target -type d -prune -exec rm -rf {} +

COPY . .
RUN ./mvnw -B -ntp -DskipTests package -pl order-server -am


FROM eclipse-temurin:17-jre-noble

# A fixed uid/gid, so that files the service writes to a mounted volume have a known owner.
RUN groupadd --system --gid 10001 orders \
    && useradd --system --uid 10001 --gid orders --home-dir /app --no-create-home --shell /usr/sbin/nologin orders
WORKDIR /app
# The production jar: the service without the embedded PostgreSQL and Kafka (order-devstack), so
# DB_DSN and KAFKA_BROKER must be set; without them it says so and exits with 2.
COPY --from=build /src/order-server/target/order-server-production.jar /app/order-server.jar
USER orders

# Heap follows the container's memory limit; an OutOfMemoryError ends the process, so that the
# orchestrator restarts it instead of it serving in a broken state.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
# Exec form: java is PID 1 and receives SIGTERM itself, which the service turns into a graceful
# shutdown (stop accepting, drain, commit, close) with exit code 0.
ENTRYPOINT ["java", "-jar", "/app/order-server.jar"]
