# cppapp's image: built on Debian 12 with the project's own dependency script (the build set
# only), run on bookworm-slim with only the shared libraries the binary and its MongoDB module link
# (scripts/install-deps --runtime; tests/deploy/test_image.py checks that list against ldd).
#
#   DOCKER_BUILDKIT=1 docker build --build-arg REVISION=$(git rev-parse HEAD) -t <registry user>/cppapp:latest .
#
# No `# syntax=` line on purpose: it makes BuildKit pull its Dockerfile frontend from Docker Hub,
# and the frontend built into the engine already handles `RUN --mount`. Needs only the two base
# images and Debian's package mirror (tests/engine/engine makes both without a registry).

FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/install-deps scripts/install-deps
# ccache keeps compiled objects in a BuildKit cache mount: a rebuild after a change compiles only
# what changed, also from a fresh clone (it hashes contents; ninja alone would go by mtimes).
RUN scripts/install-deps --build \
 && apt-get install -y -qq --no-install-recommends ccache >/dev/null \
 && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt CMakePresets.json ./
COPY cmake cmake
COPY docs/openapi.json docs/openapi.json
COPY src src
COPY views views
COPY public public
# The default install prefix /usr/local is compiled into the binary as its share directory
# (<exe dir>/../share/cppapp): views and public files land in /out/usr/local/share/cppapp.
# The revision goes into the binary (--version, cppapp_build_info): there is no .git here.
# Built with -g, then split: the image gets the stripped binary and MongoDB module (each with a
# debuglink naming its .debug file), the debug-symbols stage below keeps the debug information, so a crash record's
# frames (cppapp+0x…, docs/architecture.md "Crash records") can be read with addr2line or gdb.
ARG REVISION=unknown
RUN --mount=type=cache,target=/root/.cache/ccache \
    cmake --preset release -DCPPAPP_TESTS=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
          -DCMAKE_CXX_FLAGS=-g -DCPPAPP_REVISION=${REVISION} >/dev/null \
 && cmake --build --preset release --target cppapp \
 && DESTDIR=/out cmake --install build/release \
 && mkdir -p /out/debug \
 && for file in bin/cppapp lib/cppapp/cppapp-mongo.so; do \
      debug=/out/debug/$(basename $file).debug; \
      objcopy --only-keep-debug /out/usr/local/$file $debug \
      && strip /out/usr/local/$file \
      && objcopy --add-gnu-debuglink=$debug /out/usr/local/$file || exit 1; \
    done

# The debug file of exactly the binary the image holds (same build id), out of the image:
#   DOCKER_BUILDKIT=1 docker build --target debug-symbols --output type=local,dest=build/image-debug .
# (with the same build args: the cached build is reused) writes build/image-debug/cppapp.debug
# (and cppapp-mongo.so.debug).
FROM scratch AS debug-symbols
COPY --from=build /out/debug/ /

# The last stage is what `docker build` makes by default.
FROM debian:bookworm-slim AS runtime
# The script is bind-mounted, not copied: it has no business in the final image.
RUN --mount=type=bind,source=scripts/install-deps,target=/tmp/install-deps \
    /tmp/install-deps --runtime && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# DATA_DIR (/var/lib/cppapp) holds the log spool (and the embedded database when no MONGO_URL is
# given). Mode 1777, like /tmp: a tmpfs mounted over it (the stack's read-only root) takes the
# directory's mode but is owned by root, and Swarm's tmpfs mounts cannot set an owner, so only a
# world-writable (sticky) directory lets user cppapp write there either way.
RUN groupadd --system --gid 10001 cppapp \
 && useradd --system --uid 10001 --gid cppapp --home-dir /var/lib/cppapp --shell /usr/sbin/nologin cppapp \
 && install -d -o cppapp -g cppapp -m 1777 /var/lib/cppapp
COPY --from=build /out/usr/local/ /usr/local/

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="cppapp" \
      org.opencontainers.image.description="nodeapp's backend service in C++: the Hello World page at /app1, a guestbook on MongoDB, logs to Logstash" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="debian:bookworm-slim"

# Production mode: templates compiled once, JSON lines to logstash:9000 (the seed's NODE_ENV).
ENV APP_ENV=production PORT=8080 DATA_DIR=/var/lib/cppapp
USER cppapp:cppapp
WORKDIR /var/lib/cppapp
EXPOSE 8080
# Swarm marks a task healthy only once this passes, and replaces it when it keeps failing.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["cppapp", "healthcheck"]
# Exec form: cppapp is PID 1 and receives SIGTERM itself, so it drains before the stop grace ends.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cppapp"]
