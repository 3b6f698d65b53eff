#!/usr/bin/env bash
# Builds the app's one multi-arch image (linux/arm64 + linux/amd64) with docker buildx and
# pushes it to ECR. Nothing is hard-coded: the repository, region, tag and platforms come from
# flags or the environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<'EOF'
Usage: scripts/build.sh [options]

Build the eks-info image for several platforms and push it to Amazon ECR.

Options (environment variable in brackets):
  -r, --repository NAME|URI  ECR repository name or full URI        [ECR_REPOSITORY, default eks-info]
      --region REGION        AWS region of the repository           [AWS_REGION, AWS_DEFAULT_REGION]
  -t, --tag TAG              image tag                              [IMAGE_TAG, default: git commit, -dirty if modified]
  -p, --platforms LIST       comma-separated platforms              [PLATFORMS, default linux/arm64,linux/amd64]
      --builder NAME         buildx builder to use                  [BUILDX_BUILDER]
      --load                 build for this machine's platform only and load it into the local
                             Docker as eks-info:local (for docker compose); no ECR, no push
      --no-login             skip `aws ecr get-login-password | docker login`
      --dry-run              print the commands instead of running them
  -h, --help                 show this help

The repository URI is read from ECR (aws ecr describe-repositories) unless a full URI is given;
terraform output ecr_repository_url prints it. ECR tags are immutable: push a new tag per build.

Examples:
  scripts/build.sh --region eu-west-1
  scripts/build.sh -r "$(terraform -chdir=terraform output -raw ecr_repository_url)" -t v1.2.0
  scripts/build.sh --load && docker compose up
EOF
}

log() { printf '[build] %s\n' "$*" >&2; }
die() { printf '[build] error: %s\n' "$*" >&2; exit 1; }

REPOSITORY="${ECR_REPOSITORY:-eks-info}"
REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
TAG="${IMAGE_TAG:-}"
PLATFORMS="${PLATFORMS:-linux/arm64,linux/amd64}"
BUILDER="${BUILDX_BUILDER:-}"
LOAD=false
LOGIN=true
DRY_RUN=false

while [ $# -gt 0 ]; do
  case "$1" in
    -r|--repository) REPOSITORY="${2:?--repository needs a value}"; shift 2 ;;
    --region) REGION="${2:?--region needs a value}"; shift 2 ;;
    -t|--tag) TAG="${2:?--tag needs a value}"; shift 2 ;;
    -p|--platforms) PLATFORMS="${2:?--platforms needs a value}"; shift 2 ;;
    --builder) BUILDER="${2:?--builder needs a value}"; shift 2 ;;
    --load) LOAD=true; shift ;;
    --no-login) LOGIN=false; shift ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done

run() {
  if $DRY_RUN; then printf '+ %s\n' "$*"; else "$@"; fi
}

if [ -z "$TAG" ]; then
  TAG="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null)" || die "no --tag given and this is not a git checkout"
  [ -z "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ] || TAG="$TAG-dirty"
fi
[[ "$TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "'$TAG' is not a valid image tag"

command -v docker >/dev/null || die "docker is required (with the buildx plugin)"
$DRY_RUN || docker buildx version >/dev/null 2>&1 || die "docker buildx is required: install the buildx plugin"
BUILDER_ARGS=()
[ -n "$BUILDER" ] && BUILDER_ARGS=(--builder "$BUILDER")

if $LOAD; then
  # --load takes one platform: the image is for this machine's Docker.
  log "building eks-info:local for this machine (--load)"
  run docker buildx build "${BUILDER_ARGS[@]}" --load -t eks-info:local -t "eks-info:$TAG" "$ROOT"
  exit 0
fi

command -v aws >/dev/null || die "the AWS CLI is required to find and log in to the ECR repository"
if [[ "$REPOSITORY" == */* ]]; then
  URI="$REPOSITORY"
else
  [ -n "$REGION" ] || die "no region: pass --region or set AWS_REGION"
  log "looking up ECR repository '$REPOSITORY' in $REGION"
  URI="$(aws ecr describe-repositories --region "$REGION" --repository-names "$REPOSITORY" \
    --query 'repositories[0].repositoryUri' --output text)" \
    || die "ECR repository '$REPOSITORY' not found in $REGION (create it with terraform/, or pass --repository URI)"
fi
REGISTRY="${URI%%/*}"
if [ -z "$REGION" ]; then
  # ECR registry addresses carry the region as their 4th dot-separated label.
  REGION="$(cut -d. -f4 <<<"$REGISTRY")"
fi

# Cross-building arm64 on amd64 (or the reverse) needs QEMU binfmt handlers or a native node.
if ! $DRY_RUN && [[ "$PLATFORMS" == *,* ]] && ! docker buildx inspect "${BUILDER_ARGS[@]}" 2>/dev/null | grep -q 'linux/arm64.*linux/amd64\|linux/amd64.*linux/arm64'; then
  log "warning: the buildx builder may lack one of $PLATFORMS; if the build fails, create one with"
  log "  docker buildx create --use --name eks-info --platform $PLATFORMS   (and QEMU: docker run --privileged --rm tonistiigi/binfmt --install all)"
fi

if $LOGIN; then
  log "logging in to $REGISTRY"
  if $DRY_RUN; then
    printf '+ aws ecr get-login-password --region %s | docker login --username AWS --password-stdin %s\n' "$REGION" "$REGISTRY"
  else
    aws ecr get-login-password --region "$REGION" | docker login --username AWS --password-stdin "$REGISTRY" >/dev/null \
      || die "docker login to $REGISTRY failed (check your AWS credentials and ecr:GetAuthorizationToken)"
  fi
fi

log "building $URI:$TAG for $PLATFORMS"
run docker buildx build "${BUILDER_ARGS[@]}" \
  --platform "$PLATFORMS" \
  --provenance=false \
  --label "org.opencontainers.image.revision=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
  -t "$URI:$TAG" \
  --push \
  "$ROOT"
log "pushed $URI:$TAG"
echo "$URI:$TAG"
