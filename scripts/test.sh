#!/usr/bin/env bash
# npm test: everything a fresh machine needs, then every test tier in one Jest run.
#   1. npm ci when node_modules is missing (a clean clone);
#   2. tools into .tools/ (cached per user, skipped when present): Node 24, nats-server, moto,
#      Debian chromium, the EC2 metadata mock, helm, kubeconform, kube-score, Kubernetes JSON
#      schemas, compose-go, terraform, the Kubernetes control plane;
#   3. build (swc → dist/, the real processes the integration tests start);
#   4. Jest: the CPU-measuring tests alone, then unit, integration (real nats-server, moto, fake
#      API server, real processes), e2e (chromium) and cluster (a real control plane on loopback:
#      etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok). Arguments pass
#      through to one Jest run, e.g. `npm test -- gateway/`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[test] npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi
scripts/tools/install.sh all
export PATH="$ROOT/.tools/bin:$PATH"
bash scripts/run.sh build

# Tests never use credentials or metadata from this machine: loopback mocks only.
export AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
  AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI KUBECONFIG KUBERNETES_SERVICE_HOST || true
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
mkdir -p test-output
if [ $# -gt 0 ]; then exec node scripts/jest.js --ci "$@"; fi

# CPU- and deadline-measuring tests alone first (nothing else competes for the cores), then everything else;
# the output ends with the main run's summary, the exit status covers both runs.
status=0
node scripts/jest.js --ci --selectProjects cpu --runInBand --passWithNoTests || status=$?
node scripts/jest.js --ci --selectProjects unit integration e2e cluster || status=$?
exit $status
