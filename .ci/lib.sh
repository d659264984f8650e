# Helpers sourced by .ci/run: timing, apt packages, the docker engine, the local base image,
# and the optional wheels handed to `docker build`. Every function is safe to run twice.

CI_CACHE_DIR="${CI_CACHE_DIR:-/var/cache/sagemaker-nlp-ci}"
BASE_IMAGE="${BASE_IMAGE:-python:3.11-slim}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
# Wheels that `docker build` may use via --find-links (git-ignored folder in the build context).
EXTRAS_DIR="docker-context-extras"
TIMINGS=()

log() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# stage NAME CMD...: run one CI stage, record and print how long it took; stop on failure.
stage() {
    local name="$1"; shift
    local start=$SECONDS rc=0
    log "stage '$name' started"
    "$@" || rc=$?
    local took=$((SECONDS - start))
    TIMINGS+=("$(printf '%-28s %5ss  rc=%s' "$name" "$took" "$rc")")
    log "stage '$name' finished in ${took}s (rc=$rc)"
    if [ "$rc" -ne 0 ]; then print_timings; exit "$rc"; fi
}

print_timings() {
    log "stage timings"
    printf '  %s\n' "${TIMINGS[@]}"
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Install the apt packages the tests need: the docker tests' (docker engine, compose v1,
# debootstrap) and the report's browser check (chromium, driven by playwright, and a font for
# the page's text).
ensure_apt_packages() {
    local wanted=(docker.io docker-compose debootstrap ca-certificates python3-venv git curl
                  chromium fonts-dejavu-core)
    local missing=()
    for pkg in "${wanted[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -eq 0 ]; then echo "apt packages already installed"; return 0; fi
    echo "installing: ${missing[*]}"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Start dockerd in the background unless an engine already answers.
ensure_dockerd() {
    if docker info >/dev/null 2>&1; then echo "docker engine already running"; return 0; fi
    mkdir -p "$CI_CACHE_DIR"
    echo "starting dockerd (log: $CI_CACHE_DIR/dockerd.log)"
    as_root sh -c "nohup dockerd >'$CI_CACHE_DIR/dockerd.log' 2>&1 &"
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && { docker version --format 'engine {{.Server.Version}}'; return 0; }
        sleep 1
    done
    echo "dockerd did not come up; last log lines:" >&2
    tail -20 "$CI_CACHE_DIR/dockerd.log" >&2
    return 1
}

# There is no Docker Hub here: build a stand-in for the Dockerfile's base image from Debian
# packages and tag it with the base image's name, so the production Dockerfile stays unchanged.
# The stand-in carries this machine's CA bundle, so pip inside `docker build` reaches PyPI.
ensure_base_image() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        echo "base image $BASE_IMAGE already present: reusing it"; return 0
    fi
    if [ "${BASE_IMAGE_PULL:-0}" = 1 ] && docker pull "$BASE_IMAGE"; then return 0; fi
    local rootfs="$CI_CACHE_DIR/rootfs-$DEBIAN_SUITE"
    as_root rm -rf "$rootfs"
    mkdir -p "$CI_CACHE_DIR"
    echo "debootstrap $DEBIAN_SUITE -> $rootfs"
    as_root debootstrap --variant=minbase --include=python3,python3-pip,python3-venv,ca-certificates \
        "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$CI_CACHE_DIR/debootstrap.log" 2>&1 \
        || { tail -30 "$CI_CACHE_DIR/debootstrap.log" >&2; return 1; }
    as_root cp "$HOST_CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
    as_root rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/info
    local ca=/etc/ssl/certs/ca-certificates.crt
    as_root tar -C "$rootfs" -c . | docker import \
        --change "ENV LANG=C.UTF-8" \
        --change "ENV PIP_CERT=$ca" \
        --change "ENV SSL_CERT_FILE=$ca" \
        --change "ENV REQUESTS_CA_BUNDLE=$ca" \
        --change 'CMD ["python3"]' \
        --change "LABEL org.sagemaker-nlp.ci-base=debootstrap-$DEBIAN_SUITE" \
        - "$BASE_IMAGE"
    as_root rm -rf "$rootfs"
    docker image ls "$BASE_IMAGE"
}

# Copy locally available wheels (the CPU torch build) into the git-ignored build-context folder
# that the Dockerfile reads with --find-links; the download.pytorch.org index is not reachable here.
stage_wheels() {
    mkdir -p "$EXTRAS_DIR/wheels"
    local found=0
    for whl in ${LOCAL_WHEELS:-/opt/wheels/torch-*+cpu-cp311-*.whl}; do
        [ -f "$whl" ] || continue
        found=1
        # cp -u keeps the file's timestamp stable, so the build cache stays valid.
        cp -u --preserve=timestamps "$whl" "$EXTRAS_DIR/wheels/"
        echo "wheel for the build: $EXTRAS_DIR/wheels/$(basename "$whl")"
    done
    [ "$found" = 1 ] || echo "no local wheels; the build downloads torch from TORCH_INDEX_URL"
}
