#!/usr/bin/env bash
# Installs the tools the project runs and tests with, into the git-ignored `.tools/` of the
# checkout. Downloads go to a per-user cache so a fresh clone (CI) reuses them and skips the work.
#
#   scripts/tools/install.sh node nats moto chromium     # install the named tools
#   scripts/tools/install.sh helm kubeconform kube-score compose terraform k8s-schemas   # shipping checks
#   scripts/tools/install.sh control-plane               # kube-apiserver, controller-manager, scheduler, etcd, kwok
#   scripts/tools/install.sh all                         # everything the test command needs
#
# Sources (the machine reaches only package registries): Node 24 from the npm package
# node-linux-<arch>@24, Go tools by `go install`, Python tools by pip into a venv, Chromium
# from Debian. Every installer is idempotent and prints one line when it has nothing to do.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"
CACHE="${EKS_INFO_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-info/tools}"
mkdir -p "$TOOLS/bin" "$CACHE/bin"

# Pinned versions: bump deliberately, the cache is keyed on them.
NODE_MAJOR=24
NATS_SERVER_VERSION="${NATS_SERVER_VERSION:-v2.15.2}"
MOTO_VERSION="${MOTO_VERSION:-5.1.18}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.7.0}"
KUBE_LINTER_VERSION="${KUBE_LINTER_VERSION:-v0.7.6}"
KUBE_SCORE_VERSION="${KUBE_SCORE_VERSION:-v1.20.0}"
OPENTOFU_VERSION="${OPENTOFU_VERSION:-v1.10.10}"
KUBERNETES_VALIDATE_VERSION="${KUBERNETES_VALIDATE_VERSION:-1.37.0}"
K8S_SCHEMA_VERSION="${K8S_SCHEMA_VERSION:-1.33.0}"
COMPOSE_GO_VERSION="${COMPOSE_GO_VERSION:-v2.9.1}"
AEMM_VERSION="${AEMM_VERSION:-v1.13.0}"
KUBERNETES_VERSION="${KUBERNETES_VERSION:-v1.34.2}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.5}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"

log() { printf '[tools] %s\n' "$*" >&2; }
die() { printf '[tools] error: %s\n' "$*" >&2; exit 1; }
link() { ln -sfn "$1" "$TOOLS/bin/$2"; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

install_node() {
  local sys; sys="$(command -v node || true)"
  if [ -n "$sys" ] && [ "$(node_major "$sys")" -ge "$NODE_MAJOR" ] && [ "$sys" != "$TOOLS/bin/node" ]; then
    link "$sys" node; log "node: system $("$sys" -v)"; return
  fi
  local arch; case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) die "unsupported CPU $(uname -m)" ;; esac
  local dir="$CACHE/node-$NODE_MAJOR-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    log "node: installing Node $NODE_MAJOR from the npm package node-linux-$arch@$NODE_MAJOR"
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_MAJOR" >/dev/null) || die "npm pack node-linux-$arch@$NODE_MAJOR failed"
    tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp"
    rm -rf "$dir" && mkdir -p "$dir/bin" && cp "$tmp/package/bin/node" "$dir/bin/node" && rm -rf "$tmp"
  fi
  link "$dir/bin/node" node; log "node: $("$dir/bin/node" -v)"
}

# go install into the cache; the Go module and build caches make reinstalls fast.
go_tool() { # name module version [ldflags]
  local name="$1" module="$2" version="$3" ldflags="${4:-}" bin="$CACHE/bin/$1-$3"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || die "$name needs Go (go install $module@$version)"
    log "$name: go install $module@$version"
    local tmp; tmp="$(mktemp -d)"
    GOBIN="$tmp" GOFLAGS=-mod=mod CGO_ENABLED=0 go install -ldflags "$ldflags" "$module@$version" >&2 || die "go install $module@$version failed"
    mv "$tmp/$(ls "$tmp" | head -n1)" "$bin" && rm -rf "$tmp"
  fi
  link "$bin" "$name"; log "$name: $version"
}

install_nats() { go_tool nats-server github.com/nats-io/nats-server/v2 "$NATS_SERVER_VERSION"; }
install_aemm() { go_tool ec2-metadata-mock github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock "$AEMM_VERSION"; }
install_helm() {
  # A plain `go install` reports Kubernetes v1.20 in .Capabilities: inject the version like Helm's Makefile.
  go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
    "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=33 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=33"
}
install_kubeconform() { go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"; }
# Not in `all`: the Go module proxy answers 403 for kube-linter's module (both its vanity and GitHub
# paths), and no other reachable registry ships it. kube-score stands in for it (see helm/eks-info/README.md).
install_kube_linter() { go_tool kube-linter golang.stackrox.io/kube-linter/cmd/kube-linter "$KUBE_LINTER_VERSION"; }
install_kube_score() { go_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION"; }
install_compose() { go_tool compose-go github.com/compose-spec/compose-go/v2/cmd "$COMPOSE_GO_VERSION"; }

# `terraform fmt -check` only: a terraform already on the machine is used as it is; otherwise
# OpenTofu (same fmt rules) is built from the Go module proxy. `go install mod@version` refuses
# both projects (their go.mod has replace directives), so build inside a copy of the module.
install_terraform() {
  local sys; sys="$(command -v terraform || true)"
  if [ -n "$sys" ] && [ "$sys" != "$TOOLS/bin/terraform" ]; then
    link "$sys" terraform; log "terraform: system $("$sys" version 2>/dev/null | head -n1)"; return
  fi
  local bin="$CACHE/bin/tofu-$OPENTOFU_VERSION"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || die "terraform is missing and building OpenTofu needs Go"
    log "terraform: building OpenTofu $OPENTOFU_VERSION from the Go module proxy (a few minutes, once)"
    local src tmp; src="$(GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@$OPENTOFU_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$src" ] || die "go mod download github.com/opentofu/opentofu@$OPENTOFU_VERSION failed"
    tmp="$(mktemp -d)" && cp -r "$src/." "$tmp/" && chmod -R u+w "$tmp"
    (cd "$tmp" && CGO_ENABLED=0 go build -o "$bin.tmp" ./cmd/tofu) >&2 || { rm -rf "$tmp"; die "building OpenTofu failed"; }
    mv "$bin.tmp" "$bin" && rm -rf "$tmp"
  fi
  link "$bin" terraform; log "terraform: OpenTofu $OPENTOFU_VERSION"
}

# Kubernetes JSON schemas for kubeconform, offline: the PyPI package kubernetes-validate ships them
# per version, with $refs into a shared _definitions.json under a remote $id. kubeconform would
# try to fetch that, so each schema is rewritten standalone (its definitions inlined), in the
# directory layout kubeconform's -schema-location template expects.
install_k8s_schemas() {
  local dir="$CACHE/k8s-schemas-kv$KUBERNETES_VALIDATE_VERSION"
  if [ ! -f "$dir/v$K8S_SCHEMA_VERSION-standalone-strict/deployment-apps-v1.json" ]; then
    log "k8s-schemas: Kubernetes $K8S_SCHEMA_VERSION from PyPI kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
    local tmp; tmp="$(mktemp -d)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2 \
      || die "pip download kubernetes-validate==$KUBERNETES_VALIDATE_VERSION failed"
    python3 - "$tmp"/kubernetes_validate-*.whl "$tmp/out" "$K8S_SCHEMA_VERSION" <<'PY' || die "bundling the schemas failed"
import json, re, sys, zipfile, os
wheel, out, version = sys.argv[1:4]
z = zipfile.ZipFile(wheel)
for strict in ('', '-strict'):
    src = f'kubernetes_validate/kubernetes-json-schema/v{version}-local{strict}/'
    defs = json.loads(z.read(src + '_definitions.json'))['$defs']
    ref = re.compile(r'^(?:/api/_definitions\.json)?#/\$defs/(.+)$')
    def walk(node, seen):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == '$ref' and isinstance(v, str):
                    m = ref.match(v)
                    if not m: raise SystemExit(f'unexpected $ref {v}')
                    node[k] = '#/$defs/' + m.group(1)
                    if m.group(1) not in seen:
                        seen[m.group(1)] = None
                        seen[m.group(1)] = walk(json.loads(json.dumps(defs[m.group(1)])), seen)
                else:
                    walk(v, seen)
        elif isinstance(node, list):
            for v in node: walk(v, seen)
        return node
    target = os.path.join(out, f'v{version}-standalone{strict}')
    os.makedirs(target)
    for name in z.namelist():
        base = name[len(src):]
        if not name.startswith(src) or not base.endswith('.json') or base in ('_definitions.json', 'all.json'):
            continue
        schema = json.loads(z.read(name))
        schema.pop('$id', None)  # no remote base: every $ref now points inside the file
        seen = {}
        walk(schema, seen)
        if seen: schema['$defs'] = seen
        with open(os.path.join(target, base), 'w') as f: json.dump(schema, f)
PY
    # Another installer may have finished first (parallel test workers): keep whichever is there.
    [ -d "$dir" ] || mv "$tmp/out" "$dir"
    rm -rf "$tmp"
  fi
  ln -sfn "$dir" "$TOOLS/k8s-schemas"; log "k8s-schemas: Kubernetes $K8S_SCHEMA_VERSION (kubernetes-validate $KUBERNETES_VALIDATE_VERSION)"
}

# A real Kubernetes control plane for the cluster test tier: kube-apiserver, kube-controller-manager
# and kube-scheduler from k8s.io/kubernetes, etcd, and kwok (fake nodes whose pods run without
# containers). `go install mod@version` refuses k8s.io/kubernetes and etcd's server (their go.mod
# files have replace directives), so each is built inside a scratch module that requires it:
# k8s.io/kubernetes requires its staging modules (k8s.io/api, client-go…) at v0.0.0 and replaces
# them with ./staging, so the scratch module replaces each with its published v0.<minor>.<patch>.
# The version ldflags are what the release Makefile sets (without them /version says v0.0.0).
CONTROL_PLANE_BINS="kube-apiserver kube-controller-manager kube-scheduler etcd kwok"

# go build of main packages in a scratch module that requires module@version; OUT is go build's -o
# (a directory ending in / for several packages).
#   scratch_build OUT LDFLAGS MODULE VERSION [REPLACE...] -- PACKAGE...
scratch_build() {
  local out="$1" ldflags="$2" module="$3" version="$4"; shift 4
  local replaces=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do replaces+=("$1"); shift; done
  shift
  local tmp; tmp="$(mktemp -d)"
  (
    cd "$tmp"
    go mod init eks-info.invalid/control-plane >/dev/null 2>&1
    go mod edit -go=1.24.0 -require="$module@$version"
    for r in "${replaces[@]}"; do go mod edit -replace="$r"; done
    GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out" "$@"
  ) >&2 || { rm -rf "$tmp"; return 1; }
  rm -rf "$tmp"
}

install_control_plane() {
  local dir="$CACHE/control-plane-k8s-$KUBERNETES_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION" missing="" b
  for b in $CONTROL_PLANE_BINS; do [ -x "$dir/$b" ] || missing="$missing $b"; done
  if [ -n "$missing" ]; then
    command -v go >/dev/null || die "the control plane needs Go (go build of k8s.io/kubernetes, etcd and kwok)"
    log "control-plane: building$missing (a few minutes cold, seconds with a warm Go build cache)"
    local started=$SECONDS out="$dir.partial.$$"
    rm -rf "$out" && mkdir -p "$out"
    local gomod minor patch replaces=()
    gomod="$(GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
    [ -f "$gomod" ] || die "go mod download k8s.io/kubernetes@$KUBERNETES_VERSION failed"
    minor="$(echo "$KUBERNETES_VERSION" | cut -d. -f2)"; patch="$(echo "$KUBERNETES_VERSION" | cut -d. -f3)"
    for m in $(sed -n 's|^[[:space:]]*\(k8s\.io/[^[:space:]]*\) => \./staging/.*|\1|p' "$gomod"); do replaces+=("$m=$m@v0.$minor.$patch"); done
    local kv="-X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1"
    kv="$kv -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
    kv="$kv -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1"
    kv="$kv -X k8s.io/client-go/pkg/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitTreeState=clean"
    scratch_build "$out/" "-s -w $kv" k8s.io/kubernetes "$KUBERNETES_VERSION" "${replaces[@]}" -- \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
      || die "building kube-apiserver, kube-controller-manager and kube-scheduler $KUBERNETES_VERSION failed"
    scratch_build "$out/etcd" "-s -w" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" -- go.etcd.io/etcd/server/v3 \
      || die "building etcd $ETCD_VERSION failed"
    GOBIN="$out" GOFLAGS=-mod=mod CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
      "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2 || die "go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION failed"
    # kwok runs nothing without stages: its own definitions (node ready + lease, pod ready and
    # complete) ship in its module; the test harness assembles its configuration from them.
    local kwok_src; kwok_src="$(GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    mkdir -p "$out/kwok-stages"
    cp "$kwok_src/kustomize/stage/node/fast/node-initialize.yaml" "$kwok_src/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
      "$kwok_src/kustomize/stage/pod/fast/pod-ready.yaml" "$kwok_src/kustomize/stage/pod/fast/pod-complete.yaml" "$out/kwok-stages/" \
      || die "copying kwok's stage definitions failed"
    chmod -R u+w "$out/kwok-stages"
    for b in $CONTROL_PLANE_BINS; do [ -x "$out/$b" ] || die "control-plane: $b was not built"; done
    # Another installer may have finished first (parallel runs): keep whichever is there.
    if [ -d "$dir" ]; then rm -rf "$out"; else mv "$out" "$dir"; fi
    log "control-plane: built in $((SECONDS - started)) s"
  fi
  for b in $CONTROL_PLANE_BINS; do link "$dir/$b" "$b"; done
  log "control-plane: kubernetes $KUBERNETES_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION"
}

install_moto() {
  local venv="$CACHE/moto-$MOTO_VERSION"
  if [ ! -x "$venv/bin/moto_server" ]; then
    log "moto: pip install moto[server]==$MOTO_VERSION into a venv"
    rm -rf "$venv" && python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "moto[server]==$MOTO_VERSION" >&2 || die "pip install moto[server] failed"
  fi
  link "$venv/bin/moto_server" moto_server; log "moto: $MOTO_VERSION"
}

# A program from Debian's packages, linked into .tools/bin.
apt_tool() { # command package why
  # The system's own copy: our links in $TOOLS/bin (on PATH under npm scripts) are not one.
  local path; path="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$TOOLS/bin" | paste -sd: -)"
  local bin; bin="$(PATH="$path" command -v "$1" || true)"
  if [ -z "$bin" ]; then
    command -v apt-get >/dev/null || die "$1 is missing and apt-get is not available; install Debian's $2"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "$1: apt-get install $2 ($3)"
    $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >&2 \
      || die "apt-get install $2 failed"
    bin="$(PATH="$path" command -v "$1")"
  fi
  link "$bin" "$1"
}

install_chromium() {
  apt_tool chromium chromium "Debian's build; test tools never download a browser"
  log "chromium: $("$TOOLS/bin/chromium" --version 2>/dev/null | head -n1)"
}

# The benchmarks' load generator: C, one thread, so it leaves the cores to the server under test.
install_wrk() {
  apt_tool wrk wrk "the benchmarks' load generator"
  log "wrk: $("$TOOLS/bin/wrk" --version 2>&1 | head -n1 | cut -c1-40)"
}

run() {
  case "$1" in
    node) install_node ;; nats) install_nats ;; moto) install_moto ;; chromium) install_chromium ;; wrk) install_wrk ;;
    aemm) install_aemm ;; helm) install_helm ;; kubeconform) install_kubeconform ;;
    kube-linter) install_kube_linter ;; kube-score) install_kube_score ;; compose) install_compose ;;
    terraform) install_terraform ;; k8s-schemas) install_k8s_schemas ;; control-plane) install_control_plane ;;
    all) for t in node nats moto chromium aemm helm kubeconform kube-score compose terraform k8s-schemas control-plane; do run "$t"; done ;;
    *) die "unknown tool '$1' (node nats moto chromium wrk aemm helm kubeconform kube-score kube-linter compose terraform k8s-schemas control-plane all)" ;;
  esac
}

[ $# -gt 0 ] || set -- all
for tool in "$@"; do run "$tool"; done
