# syntax=docker/dockerfile:1
# cppapp's image: built on Debian 12 with the project's own dependency script, run on
# bookworm-slim with only the shared libraries the binary links (scripts/install-deps --runtime;
# tests/deploy/test_image_libraries.py checks that list against ldd of the binary).
#
#   docker build -t <registry user>/cppapp:latest .

FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt CMakePresets.json ./
COPY src src
COPY views views
COPY public public
# The default install prefix /usr/local is compiled into the binary as its share directory
# (<exe dir>/../share/cppapp): views and public files land in /out/usr/local/share/cppapp.
RUN cmake --preset release -DCPPAPP_TESTS=OFF >/dev/null \
 && cmake --build --preset release --target cppapp \
 && DESTDIR=/out cmake --install build/release --strip

FROM debian:bookworm-slim AS runtime
# The script is bind-mounted, not copied: it has no business in the final image.
RUN --mount=type=bind,source=scripts/install-deps,target=/tmp/install-deps \
    /tmp/install-deps --runtime && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 cppapp \
 && useradd --system --uid 10001 --gid cppapp --home-dir /var/lib/cppapp --shell /usr/sbin/nologin cppapp \
 && install -d -o cppapp -g cppapp -m 0750 /var/lib/cppapp
COPY --from=build /out/usr/local/ /usr/local/

# Production mode: templates compiled once, JSON lines to logstash:9000 (the seed's NODE_ENV).
# DATA_DIR holds the log spool (and the embedded database when no MONGO_URL is given).
ENV APP_ENV=production PORT=8080 DATA_DIR=/var/lib/cppapp
USER cppapp:cppapp
WORKDIR /var/lib/cppapp
EXPOSE 8080
# Swarm marks a task healthy only once this passes, and replaces it when it keeps failing.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["cppapp", "healthcheck"]
# Exec form: cppapp is PID 1 and receives SIGTERM itself, so it drains before the stop grace ends.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cppapp"]
