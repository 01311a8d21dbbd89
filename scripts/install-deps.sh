#!/usr/bin/env bash
# Installs what Tailor needs on Debian 12: `install-deps.sh build` what building tailor and
# tailor-aggregator needs (the demo), `install-deps.sh` (all) also what the test suite runs.
# Idempotent: safe to run again; it only installs what is missing.
set -euo pipefail
scope="${1:-all}"
case "$scope" in build|all) ;; *) echo "install-deps: usage: install-deps.sh [build|all]" >&2; exit 2 ;; esac

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (it uses apt-get)" >&2
  exit 1
fi

packages=(
  # build
  cmake g++ make pkg-config git clang llvm bpftool clang-format clang-tidy
  # libraries
  libbpf-dev libelf-dev zlib1g-dev libseccomp-dev libsimdjson-dev nlohmann-json3-dev libyaml-cpp-dev
  libcpp-httplib-dev libboost-dev libssl-dev prometheus-cpp-dev libcli11-dev libgtest-dev libgmock-dev
  libbenchmark-dev
)
[ "$scope" = all ] && packages+=(
  # tests: real runtimes, a static userland for container rootfs, capability tools
  runc crun busybox-static libcap2-bin util-linux iproute2 prometheus
  # tests: the man page renders (man -l), the zsh completion parses (zsh -n)
  man-db groff-base zsh
  # scripts/fuzz.sh: libFuzzer and the sanitizer runtimes of clang 14
  libclang-rt-14-dev
  # tests/deploy: the chart renderer (Go, GOPATH mode on Debian's packages), openssl, curl
  golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev
  golang-github-xeipuuv-gojsonschema-dev openssl curl
  # tests: the HTML report in a real headless browser (driven by playwright-core from npm)
  chromium
)
# tests/deploy: node and npm for the Kubernetes schema validators; a node from elsewhere
# (e.g. NodeSource, which bundles npm and conflicts with Debian's npm) is kept.
[ "$scope" = all ] && ! command -v npm >/dev/null && packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The downloaded packages (1.5 GB for the whole list) are not needed once installed.
  apt-get clean
fi
echo "install-deps: all ${#packages[@]} packages present"
