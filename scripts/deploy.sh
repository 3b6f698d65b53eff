#!/usr/bin/env bash
# Deploys eks-info to an existing EKS cluster: `terraform apply` (EFS, S3, IAM roles, add-ons,
# ECR, optional controllers), then `helm upgrade --install` of helm/eks-info with the values
# Terraform computed, then a rollout check and `helm test`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_DIR="$ROOT/terraform"
CHART="$ROOT/helm/eks-info"

usage() {
  cat <<'EOF'
Usage: scripts/deploy.sh [options] [-- extra helm arguments]

  --var-file FILE       Terraform variables (default: terraform/terraform.tfvars when present)
  --image-tag TAG       image tag to deploy (default: the tag Terraform was given, image_tag)
  --values FILE         extra chart values, applied after Terraform's (repeatable)
  --skip-terraform      only run the Helm part, with the outputs of the last apply
  --auto-approve        do not ask before `terraform apply`
  --no-test             skip `helm test`
  --timeout DURATION    how long Helm waits for the rollout (default 10m)
  --dry-run             print the commands instead of running them (Terraform still plans nothing)
  -h, --help            show this help

Needs: terraform (or tofu), helm, kubectl, aws (credentials for the cluster's account).
The image must be in ECR first: scripts/build.sh.
EOF
}

log() { printf '\n[deploy] %s\n' "$*" >&2; }
die() { printf '[deploy] error: %s\n' "$*" >&2; exit 1; }

VAR_FILE=""
IMAGE_TAG=""
VALUES=()
SKIP_TF=false
AUTO_APPROVE=false
RUN_TESTS=true
TIMEOUT=10m
DRY_RUN=false
HELM_EXTRA=()

while [ $# -gt 0 ]; do
  case "$1" in
    --var-file) VAR_FILE="${2:?--var-file needs a file}"; shift 2 ;;
    --image-tag) IMAGE_TAG="${2:?--image-tag needs a value}"; shift 2 ;;
    --values) VALUES+=("${2:?--values needs a file}"); shift 2 ;;
    --skip-terraform) SKIP_TF=true; shift ;;
    --auto-approve) AUTO_APPROVE=true; shift ;;
    --no-test) RUN_TESTS=false; shift ;;
    --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; HELM_EXTRA=("$@"); break ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done

run() {
  if $DRY_RUN; then printf '+ %s\n' "$*"; else "$@"; fi
}

TF="$(command -v terraform || command -v tofu || true)"
[ -n "$TF" ] || die "terraform (or tofu) is required"
for tool in helm kubectl aws; do command -v "$tool" >/dev/null || die "$tool is required"; done
if [ -z "$VAR_FILE" ] && [ -f "$TF_DIR/terraform.tfvars" ]; then VAR_FILE="$TF_DIR/terraform.tfvars"; fi
[ -z "$VAR_FILE" ] || [ -f "$VAR_FILE" ] || die "var file $VAR_FILE not found"
for f in "${VALUES[@]}"; do [ -f "$f" ] || die "values file $f not found"; done

if ! $DRY_RUN; then
  log "AWS identity"
  aws sts get-caller-identity --output text --query Arn || die "no AWS credentials (aws configure / AWS_PROFILE / SSO login)"
fi

TF_ARGS=()
[ -n "$VAR_FILE" ] && TF_ARGS+=(-var-file "$VAR_FILE")
[ -n "$IMAGE_TAG" ] && TF_ARGS+=(-var "image_tag=$IMAGE_TAG")
# The chart is installed by Helm below, not by Terraform's own helm_release.
TF_ARGS+=(-var deploy_app=false)

if ! $SKIP_TF; then
  log "terraform init"
  run "$TF" -chdir="$TF_DIR" init -input=false
  log "terraform apply"
  if $AUTO_APPROVE; then
    run "$TF" -chdir="$TF_DIR" apply -input=false -auto-approve "${TF_ARGS[@]}"
  else
    run "$TF" -chdir="$TF_DIR" apply -input=false "${TF_ARGS[@]}"
  fi
fi

if $DRY_RUN; then
  CLUSTER="<cluster_name>"; REGION="<region>"; NAMESPACE="<namespace>"; RELEASE="<release_name>"
else
  out() { "$TF" -chdir="$TF_DIR" output -raw "$1" || die "terraform output $1 is missing: run without --skip-terraform first"; }
  CLUSTER="$(out cluster_name)"; REGION="$(out region)"; NAMESPACE="$(out namespace)"; RELEASE="$(out release_name)"
fi

VALUES_FILE="$(mktemp)"
trap 'rm -f "$VALUES_FILE"' EXIT
if ! $DRY_RUN; then "$TF" -chdir="$TF_DIR" output -raw chart_values_yaml >"$VALUES_FILE"; fi

log "kubeconfig for $CLUSTER ($REGION)"
run aws eks update-kubeconfig --name "$CLUSTER" --region "$REGION" --alias "$CLUSTER"
if ! $DRY_RUN; then
  kubectl version --request-timeout=10s >/dev/null || die "cannot reach the API server of $CLUSTER (network path, or your IAM principal has no access entry)"
  kubectl get apiservice v1beta1.metrics.k8s.io >/dev/null 2>&1 \
    || log "warning: metrics.k8s.io is not served: HPA targets will show <unknown> until metrics-server runs"
fi

HELM_ARGS=(upgrade --install "$RELEASE" "$CHART" --namespace "$NAMESPACE" --create-namespace
  -f "$VALUES_FILE" --wait --timeout "$TIMEOUT")
for f in "${VALUES[@]}"; do HELM_ARGS+=(-f "$f"); done
[ -n "$IMAGE_TAG" ] && HELM_ARGS+=(--set-string "image.tag=$IMAGE_TAG")
log "helm upgrade --install $RELEASE ($NAMESPACE)"
if ! run helm "${HELM_ARGS[@]}" "${HELM_EXTRA[@]}"; then
  log "the release did not become ready; what Kubernetes says:"
  kubectl get pods -n "$NAMESPACE" -l "app.kubernetes.io/instance=$RELEASE" -o wide || true
  kubectl get events -n "$NAMESPACE" --field-selector type=Warning --sort-by=.lastTimestamp | tail -20 || true
  die "helm upgrade failed (see the Troubleshooting section of helm/eks-info/README.md)"
fi

if $RUN_TESTS; then
  log "helm test"
  run helm test "$RELEASE" --namespace "$NAMESPACE" --logs || die "helm test failed"
fi

log "done"
run helm status "$RELEASE" --namespace "$NAMESPACE" --show-desc
