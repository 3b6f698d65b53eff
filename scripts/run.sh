#!/usr/bin/env bash
# Entry points behind the npm scripts. Each makes sure Node 24 is there (installing it into
# .tools/ from the npm registry when the system Node is older), builds, and runs.
#
#   scripts/run.sh build          compile every project to dist/ (swc, ~2 s), then bundle each
#                                 deployable into dist/app/<component>/ (esbuild, ~10 s): what ships
#   scripts/run.sh local          npm start: everything in one process, in-process transport
#   scripts/run.sh distributed    npm run start:distributed: one process per service over NATS
#   scripts/run.sh demo           npm run demo: npm start against a simulated EKS cluster (installs nats, moto, the metadata mock)
#   scripts/run.sh node <args>    Node 24 itself (the Nx targets run through it)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

[ -d node_modules ] || { echo "node_modules is missing: run 'npm ci' first" >&2; exit 1; }
scripts/tools/install.sh node >/dev/null 2>&1 || scripts/tools/install.sh node
NODE="$ROOT/.tools/bin/node"
export PATH="$ROOT/.tools/bin:$PATH"

build() {
  rm -rf dist
  "$NODE" node_modules/@swc/cli/bin/swc.js gateway services libs local bench e2e -d dist --copy-files \
    --ignore '**/*.spec.ts' --ignore '**/*.md' --quiet
  "$NODE" scripts/bundle.mjs
}

# Outside a cluster nothing may reach the cloud metadata addresses: keep the SDK's instance
# and container credential providers off (IMDS itself is off outside Kubernetes by default).
export AWS_EC2_METADATA_DISABLED="${AWS_EC2_METADATA_DISABLED:-true}"

case "${1:-}" in
  build) build ;;
  local) shift; build; exec "$NODE" --enable-source-maps dist/local/src/main.js "$@" ;;
  distributed) shift; scripts/tools/install.sh nats >/dev/null; build; exec "$NODE" --enable-source-maps dist/local/src/distributed.js "$@" ;;
  demo)
    shift
    # What the demo simulates with, installed once and cached as for npm test: nats-server (the
    # stress pods' bus), moto (the AWS side), the EC2 metadata mock. One that cannot be had is
    # left out and the pages it feeds say so; the rest runs.
    for tool in nats moto aemm; do
      if ! out="$(scripts/tools/install.sh "$tool" 2>&1)"; then
        echo "[demo] $tool could not be installed; the demo runs without it:" >&2
        printf '%s\n' "$out" | tail -n 3 >&2
      fi
    done
    build; exec "$NODE" --enable-source-maps dist/local/src/demo.js "$@" ;;
  # Node 24 for the Nx targets (bundling writes a code cache for the Node that runs it).
  node) shift; exec "$NODE" "$@" ;;
  *) echo "usage: scripts/run.sh build|local|distributed|demo|node" >&2; exit 2 ;;
esac
