{{/*
Names and labels (podinfo-style). Component objects are named <fullname>-<component>.
*/}}
{{- define "eks-info.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "eks-info.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "eks-info.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "eks-info.labels" -}}
helm.sh/chart: {{ include "eks-info.chart" . }}
{{ include "eks-info.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: eks-info
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "eks-info.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eks-info.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Component helpers take (dict "ctx" $ "name" "storage" ...). */}}
{{- define "eks-info.component.fullname" -}}
{{- printf "%s-%s" (include "eks-info.fullname" .ctx) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "eks-info.component.labels" -}}
{{ include "eks-info.labels" .ctx }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "eks-info.component.selectorLabels" -}}
{{ include "eks-info.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* ServiceAccount of a component: (dict "ctx" $ "name" "storage" "values" .Values.storage). */}}
{{- define "eks-info.serviceAccountName" -}}
{{- if .values.serviceAccount.create }}
{{- default (include "eks-info.component.fullname" .) .values.serviceAccount.name }}
{{- else }}
{{- default "default" .values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* IRSA annotation only in irsa mode: with Pod Identity the association lives in AWS, not here. */}}
{{- define "eks-info.serviceAccount" -}}
{{- if .values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "eks-info.serviceAccountName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "eks-info.component.labels" . | nindent 4 }}
  {{- $annotations := dict }}
  {{- if and (eq .ctx.Values.aws.identity "irsa") .values.serviceAccount.roleArn }}
  {{- $_ := set $annotations "eks.amazonaws.com/role-arn" .values.serviceAccount.roleArn }}
  {{- end }}
  {{- $annotations = merge (dict) (default dict .values.serviceAccount.annotations) $annotations }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
# Pods mount a token only where they call the Kubernetes API (set per pod, not here).
automountServiceAccountToken: false
{{- end }}
{{- end }}

{{- define "eks-info.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "eks-info.nats.image" -}}
{{- if .Values.nats.image.digest }}
{{- printf "%s@%s" .Values.nats.image.repository .Values.nats.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.nats.image.repository .Values.nats.image.tag }}
{{- end }}
{{- end }}

{{- define "eks-info.nats.fullname" -}}
{{- include "eks-info.component.fullname" (dict "ctx" . "name" "nats") }}
{{- end }}

{{- define "eks-info.natsUrl" -}}
{{- if .Values.nats.enabled }}
{{- printf "%s://%s.%s.svc:4222" (ternary "tls" "nats" .Values.nats.tls.enabled) (include "eks-info.nats.fullname" .) .Release.Namespace }}
{{- else }}
{{- required "nats.externalUrl is required when nats.enabled is false" .Values.nats.externalUrl }}
{{- end }}
{{- end }}

{{/* "true" when the Ingress would serve basic auth to the internet over plain HTTP (no certificate). */}}
{{- define "eks-info.ingress.insecureBasicAuth" -}}
{{- $i := .Values.gateway.ingress }}
{{- $cert := or $i.certificateArn (index (default dict $i.annotations) "alb.ingress.kubernetes.io/certificate-arn") }}
{{- if and $i.enabled (eq $i.scheme "internet-facing") (not $cert) (eq .Values.gateway.auth.mode "basic") }}true{{ end }}
{{- end }}

{{- define "eks-info.authSecretName" -}}
{{- default (printf "%s-auth" (include "eks-info.fullname" .)) .Values.gateway.auth.existingSecret }}
{{- end }}

{{/* The Secret with each component's NATS password: nats.existingSecret, else the chart's own. */}}
{{- define "eks-info.natsSecretName" -}}
{{- if .Values.nats.existingSecret }}
{{- .Values.nats.existingSecret }}
{{- else if .Values.nats.enabled }}
{{- printf "%s-nats" (include "eks-info.fullname" .) }}
{{- else if .Values.nats.auth.enabled }}
{{- fail "nats.existingSecret is required with an external NATS (nats.enabled=false) and nats.auth.enabled: it holds each component's password (keys <component>-password)" }}
{{- end }}
{{- end }}

{{/* The components that connect to NATS, each as its own NATS user (the user name is the component's). */}}
{{- define "eks-info.natsComponents" -}}
gateway environment storage stress scaling-monitor
{{- end }}

{{/* The NATS server's variable holding a component's password: NATS_PASSWORD_SCALING_MONITOR. */}}
{{- define "eks-info.natsPasswordVariable" -}}
{{- printf "NATS_PASSWORD_%s" (. | upper | replace "-" "_") }}
{{- end }}

{{- define "eks-info.natsTlsSecretName" -}}
{{- default (printf "%s-nats-tls" (include "eks-info.fullname" .)) .Values.nats.tls.existingSecret }}
{{- end }}

{{/* Where app containers find the CA of the NATS server's certificate. */}}
{{- define "eks-info.natsCaFile" -}}
/etc/eks-info/nats-tls/ca.crt
{{- end }}

{{/*
A generated secret value that is the same everywhere in one render: in the Secret that holds it
and in the checksum of every pod that reads it, so that under `helm template` (Argo CD), where
each render makes new values, clients and server change and roll together. Memoized on the
render's values; the value itself comes from eks-info.stableSecretValue.
(dict "ctx" $ "secret" NAME "key" KEY "value" GIVEN "length" N)
*/}}
{{- define "eks-info.renderedSecretValue" -}}
{{- if not (hasKey .ctx.Values "__rendered") }}
{{- $_ := set .ctx.Values "__rendered" (dict) }}
{{- end }}
{{- $cache := .ctx.Values.__rendered }}
{{- $k := printf "%s/%s" .secret .key }}
{{- if not (hasKey $cache $k) }}
{{- $_ := set $cache $k (include "eks-info.stableSecretValue" .) }}
{{- end }}
{{- get $cache $k }}
{{- end }}

{{/* A component's NATS password as the chart renders it (not with nats.existingSecret). */}}
{{- define "eks-info.natsPassword" -}}
{{- include "eks-info.renderedSecretValue" (dict "ctx" .ctx "secret" (include "eks-info.natsSecretName" .ctx) "key" (printf "%s-password" .component) "value" "" "length" 32) }}
{{- end }}

{{/*
The NATS server's certificate, its key and the CA, as JSON: nats.tls.existingSecret's are not
rendered; else the ones already in the cluster (lookup), else a new CA and a certificate for
the service's names and the pods' route names. Memoized for the render.
*/}}
{{- define "eks-info.natsTls" -}}
{{- if not (hasKey .Values "__rendered") }}
{{- $_ := set .Values "__rendered" (dict) }}
{{- end }}
{{- $cache := .Values.__rendered }}
{{- if not (hasKey $cache "nats-tls") }}
{{- $name := include "eks-info.natsTlsSecretName" . }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name }}
{{- if and $existing $existing.data (hasKey $existing.data "tls.crt") }}
{{- $_ := set $cache "nats-tls" (dict "crt" (index $existing.data "tls.crt" | b64dec) "key" (index $existing.data "tls.key" | b64dec) "ca" (index $existing.data "ca.crt" | b64dec)) }}
{{- else }}
{{- $svc := include "eks-info.nats.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- $names := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) (printf "*.%s-headless.%s.svc" $svc $ns) (printf "*.%s-headless.%s.svc.cluster.local" $svc $ns) }}
{{- $ca := genCA (printf "%s-ca" $svc) 3650 }}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc $ns) nil $names 3650 $ca }}
{{- $_ := set $cache "nats-tls" (dict "crt" $cert.Cert "key" $cert.Key "ca" $ca.Cert) }}
{{- end }}
{{- end }}
{{- get $cache "nats-tls" | toJson }}
{{- end }}

{{/*
Checksum of the NATS credentials (and certificate) as rendered, for the pod templates of the
NATS server and of every client: a new render of them rolls both sides together. With
nats.existingSecret / nats.tls.existingSecret the chart never sees the values: the checksum then
names the Secrets only, and a rotation needs `kubectl rollout restart` (see README, GitOps).
*/}}
{{- define "eks-info.natsCredentialsChecksum" -}}
{{- $parts := list }}
{{- if .Values.nats.auth.enabled }}
{{- if .Values.nats.existingSecret }}
{{- $parts = append $parts (printf "existing:%s" .Values.nats.existingSecret) }}
{{- else }}
{{- range (include "eks-info.natsComponents" . | splitList " ") }}
{{- $parts = append $parts (include "eks-info.natsPassword" (dict "ctx" $ "component" .)) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and .Values.nats.enabled .Values.nats.tls.enabled }}
{{- if .Values.nats.tls.existingSecret }}
{{- $parts = append $parts (printf "existing:%s" .Values.nats.tls.existingSecret) }}
{{- else }}
{{- $parts = append $parts (include "eks-info.natsTls" .) }}
{{- end }}
{{- end }}
{{- join "\n" $parts | sha256sum }}
{{- end }}

{{/*
A generated secret value that survives upgrades: the given value, else the one already in the
cluster (lookup), else a new random one. `helm template` and --dry-run cannot look up, so they
show a fresh value; `helm upgrade` keeps the stored one.
(dict "ctx" $ "secret" NAME "key" KEY "value" GIVEN "length" N)
*/}}
{{- define "eks-info.stableSecretValue" -}}
{{- if .value }}
{{- .value }}
{{- else }}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .secret }}
{{- if and $existing $existing.data (hasKey $existing.data .key) }}
{{- index $existing.data .key | b64dec }}
{{- else }}
{{- randAlphaNum (int .length) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Configuration every component reads (see libs/platform config). */}}
{{- define "eks-info.commonConfig" -}}
NATS_URL: {{ include "eks-info.natsUrl" . | quote }}
{{- if and .Values.nats.enabled .Values.nats.tls.enabled }}
NATS_TLS_CA_FILE: {{ include "eks-info.natsCaFile" . | quote }}
{{- end }}
RPC_TIMEOUT_MS: {{ int64 .Values.rpcTimeoutMs | quote }}
LOG_LEVEL: {{ .Values.logLevel | quote }}
MANAGEMENT_PORT: {{ int64 .Values.managementPort | quote }}
MANAGEMENT_HOST: "0.0.0.0"
SHUTDOWN_GRACE_MS: {{ int64 .Values.shutdownGraceMs | quote }}
{{- end }}

{{/* Configuration of the four services (not the gateway, which never calls Kubernetes). */}}
{{- define "eks-info.serviceConfig" -}}
{{ include "eks-info.commonConfig" . }}
KUBE_MODE: {{ .Values.kubeMode | quote }}
{{- end }}

{{/*
ConfigMap data from a dict: the user's `env` wins over the chart's values; empty values are left
out so the app's own defaults apply. Numbers print as integers (Helm reads them as floats).
(dict "ctx" $ "name" "storage" "config" DICT "env" .Values.storage.env)
*/}}
{{- define "eks-info.configMap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "eks-info.component.fullname" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "eks-info.component.labels" . | nindent 4 }}
data:
  {{- $data := merge (dict) (default dict .env) .config }}
  {{- range $k, $val := $data }}
  {{- if ne (toString $val) "" }}
  {{ $k }}: {{ ternary (toString (int64 $val)) (toString $val) (kindIs "float64" $val) | quote }}
  {{- end }}
  {{- end }}
{{- end }}

{{/* Scheduling of a pod: architecture, node selector, tolerations, affinity, spread. */}}
{{- define "eks-info.scheduling" -}}
{{- $ctx := .ctx }}
{{- $arch := dict }}
{{- if ne $ctx.Values.architecture "multi" }}
{{- $_ := set $arch "kubernetes.io/arch" $ctx.Values.architecture }}
{{- end }}
{{- $nodeSelector := merge (dict) (default dict .values.nodeSelector) (default dict $ctx.Values.nodeSelector) $arch }}
{{- with $nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (default $ctx.Values.tolerations .values.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .values.affinity }}
affinity:
  {{- toYaml .values.affinity | nindent 2 }}
{{- else if $ctx.Values.affinity }}
affinity:
  {{- toYaml $ctx.Values.affinity | nindent 2 }}
{{- else if eq $ctx.Values.podAntiAffinityPreset "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "eks-info.component.selectorLabels" . | nindent 14 }}
{{- else if eq $ctx.Values.podAntiAffinityPreset "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "eks-info.component.selectorLabels" . | nindent 12 }}
{{- end }}
{{- if $ctx.Values.topologySpread.enabled }}
topologySpreadConstraints:
  {{- range $ctx.Values.topologySpread.topologyKeys }}
  - maxSkew: {{ $ctx.Values.topologySpread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $ctx.Values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "eks-info.component.selectorLabels" $ | nindent 8 }}
  {{- end }}
{{- end }}
{{- with $ctx.Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end }}

{{/* NATS credentials of an app container: its own user and password. (dict "ctx" $ "component" NAME) */}}
{{- define "eks-info.natsEnv" -}}
{{- $v := .ctx.Values }}
{{- if $v.nats.auth.enabled }}
- name: NATS_USER
  value: {{ .component | quote }}
- name: NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "eks-info.natsSecretName" .ctx }}
      key: {{ printf "%s-password" .component }}
{{- else if and (not $v.nats.enabled) $v.nats.existingSecret }}
{{- range list "nats-token" "nats-user" "nats-password" }}
- name: {{ . | upper | replace "-" "_" }}
  valueFrom:
    secretKeyRef:
      name: {{ $v.nats.existingSecret }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end }}
{{- end }}

{{/*
The pod template of an app component: hardened, probed, configured from its ConfigMap.
(dict "ctx" $ "name" "storage" "values" .Values.storage "entrypoint" "dist/..." "checksum" SHA
      "automount" BOOL "port" {"name": "http", "containerPort": 8080} (optional)
      "extraEnv" YAML-LIST-STRING "volumeMounts" YAML-LIST-STRING "volumes" YAML-LIST-STRING)
*/}}
{{- define "eks-info.podTemplate" -}}
{{- $ctx := .ctx }}
{{- $v := .values }}
{{- $probePort := ternary "http" "management" (eq .name "gateway") }}
metadata:
  labels:
    {{- include "eks-info.component.labels" . | nindent 4 }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ .checksum }}
    # The NATS credentials as rendered: server and clients roll together when they change.
    checksum/nats-credentials: {{ include "eks-info.natsCredentialsChecksum" $ctx }}
    {{- if and $ctx.Values.metrics.podAnnotations (ne .name "gateway") }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ int64 $ctx.Values.managementPort | quote }}
    prometheus.io/path: /metrics
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "eks-info.serviceAccountName" . }}
  automountServiceAccountToken: {{ .automount }}
  {{- with $ctx.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $ctx.Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
  {{- include "eks-info.scheduling" . | trim | nindent 2 }}
  containers:
    - name: {{ .name }}
      image: {{ include "eks-info.image" $ctx }}
      imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
      # The image's entrypoint is `node`; the argument picks the component.
      args: [{{ .entrypoint | quote }}]
      ports:
        {{- if eq .name "gateway" }}
        - name: http
          containerPort: {{ $v.port }}
          protocol: TCP
        {{- else }}
        - name: management
          containerPort: {{ $ctx.Values.managementPort }}
          protocol: TCP
        {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "eks-info.component.fullname" . }}
      env:
        - name: POD_NAME
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - name: POD_IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - name: NODE_NAME
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: SERVICE_ACCOUNT_NAME
          valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
        {{- with $v.nodeOptions }}
        - name: NODE_OPTIONS
          value: {{ . | quote }}
        {{- end }}
        {{- with (include "eks-info.natsEnv" (dict "ctx" $ctx "component" .name) | trim) }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with .extraEnv }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with $v.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      # Start-up gets a minute; then liveness (process only) and readiness (NATS, informers, mounts).
      startupProbe:
        httpGet: {path: /health, port: {{ $probePort }}}
        periodSeconds: 2
        timeoutSeconds: 2
        failureThreshold: 30
      livenessProbe:
        httpGet: {path: /health, port: {{ $probePort }}}
        periodSeconds: 10
        timeoutSeconds: 3
        failureThreshold: 3
      readinessProbe:
        httpGet: {path: /ready, port: {{ $probePort }}}
        periodSeconds: 5
        timeoutSeconds: 3
        failureThreshold: 2
      resources:
        {{- toYaml $v.resources | nindent 8 }}
      securityContext:
        {{- toYaml $ctx.Values.containerSecurityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if and $ctx.Values.nats.enabled $ctx.Values.nats.tls.enabled }}
        - name: nats-ca
          mountPath: {{ include "eks-info.natsCaFile" $ctx | dir }}
          readOnly: true
        {{- end }}
        {{- with .volumeMounts }}
        {{- . | nindent 8 }}
        {{- end }}
  volumes:
    # The root filesystem is read-only: /tmp is the only scratch space.
    - name: tmp
      emptyDir:
        sizeLimit: {{ $ctx.Values.tmpVolumeSizeLimit }}
    {{- if and $ctx.Values.nats.enabled $ctx.Values.nats.tls.enabled }}
    # Only the CA: the pod verifies the NATS server, it needs no key.
    - name: nats-ca
      secret:
        secretName: {{ include "eks-info.natsTlsSecretName" $ctx }}
        items:
          - {key: ca.crt, path: ca.crt}
    {{- end }}
    {{- with .volumes }}
    {{- . | nindent 4 }}
    {{- end }}
{{- end }}

{{/* A PodDisruptionBudget for a component with more than one replica. */}}
{{- define "eks-info.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "eks-info.component.fullname" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "eks-info.component.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .values.pdb.maxUnavailable }}
  # A crash-looping pod must not block node drains (cluster autoscaler scale-down).
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "eks-info.component.selectorLabels" . | nindent 6 }}
{{- end }}

{{/*
A component's NetworkPolicy; the release-wide default deny (common/networkpolicy.yaml) closes
everything else. (dict "ctx" $ "name" "storage" "ingress" YAML-LIST "egress" YAML-LIST)
*/}}
{{- define "eks-info.networkPolicy" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "eks-info.component.fullname" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "eks-info.component.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "eks-info.component.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  {{- with (default "" .ingress | trim) }}
  ingress:
    {{- . | nindent 4 }}
  {{- end }}
  {{- with (default "" .egress | trim) }}
  egress:
    {{- . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* Egress to NATS: the release's NATS pods, or port 4222 anywhere for an external server. */}}
{{- define "eks-info.networkPolicy.natsEgress" -}}
{{- if .Values.nats.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "eks-info.component.selectorLabels" (dict "ctx" . "name" "nats") | nindent 10 }}
  ports:
    - {port: 4222, protocol: TCP}
{{- else }}
- ports:
    - {port: 4222, protocol: TCP}
{{- end }}
{{- end }}

{{/* HTTPS to the Kubernetes API server and the AWS APIs. */}}
{{- define "eks-info.networkPolicy.httpsEgress" -}}
- to:
    {{- range .Values.networkPolicy.httpsEgressCidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - {port: 443, protocol: TCP}
{{- end }}

{{/* IMDSv2 on the node (instance identity, region); needs hop limit 2. */}}
{{- define "eks-info.networkPolicy.imdsEgress" -}}
{{- if .Values.networkPolicy.imdsEgress }}
- to:
    - ipBlock:
        cidr: 169.254.169.254/32
  ports:
    - {port: 80, protocol: TCP}
{{- end }}
{{- end }}

{{/* Scrapers of the management port (/metrics), when configured. */}}
{{- define "eks-info.networkPolicy.metricsIngress" -}}
{{- with .Values.networkPolicy.metricsFrom }}
- from:
    {{- toYaml . | nindent 4 }}
  ports:
    - {port: management, protocol: TCP}
{{- end }}
{{- end }}

{{/*
Linter exceptions of a workload, each with its reason (kube-score reads kube-score/ignore;
kube-linter reads ignore-check.kube-linter.io/<check>, whose value is the reason).
(dict "kubeScore" (dict CHECK REASON ...) "kubeLinter" (dict CHECK REASON ...))
*/}}
{{- define "eks-info.lintExceptions" -}}
{{- $kubeScore := merge (dict) (default dict .kubeScore) (dict "container-image-pull-policy" "IfNotPresent on purpose: tags are immutable (ECR IMMUTABLE, git-sha tags, or a digest) and EKS nodes pull with their instance role, so there are no imagePullSecrets to re-validate; scale-out does not wait on the registry.") }}
kube-score/ignore: {{ keys $kubeScore | sortAlpha | join "," | quote }}
{{- range $check := keys $kubeScore | sortAlpha }}
lint.eks-info/{{ $check }}: {{ get $kubeScore $check | quote }}
{{- end }}
{{- range $check, $reason := .kubeLinter }}
ignore-check.kube-linter.io/{{ $check }}: {{ $reason | quote }}
{{- end }}
{{- end }}

{{/*
The shared EFS claim of the storage pods. A claim's spec never changes once created, so each
binding gets its own name: "<storage>-efs" for the dynamic claim (StorageClass), and for a static
volume "<storage>-efs-<hash of file system::access point>", with a PersistentVolume of the same
suffix. Switching between them, or to another access point, is then a new claim the StatefulSet's
pod template points at: a rolling update, no refused change.
*/}}
{{- define "eks-info.storage.efsHandle" -}}
{{- $s := .Values.storage }}
{{- if and $s.efs.fileSystemId $s.efs.accessPointId }}{{ printf "%s::%s" $s.efs.fileSystemId $s.efs.accessPointId }}{{ end }}
{{- end }}

{{- define "eks-info.storage.efsClaimName" -}}
{{- $base := printf "%s-efs" (include "eks-info.component.fullname" (dict "ctx" . "name" "storage")) }}
{{- with include "eks-info.storage.efsHandle" . }}
{{- printf "%s-%s" ($base | trunc 54 | trimSuffix "-") (sha256sum . | trunc 8) }}
{{- else }}
{{- $base }}
{{- end }}
{{- end }}

{{- define "eks-info.storage.efsVolumeName" -}}
{{- $base := printf "%s-%s-efs" (include "eks-info.fullname" .) .Release.Namespace | trunc 54 | trimSuffix "-" }}
{{- printf "%s-%s" $base (sha256sum (include "eks-info.storage.efsHandle" .) | trunc 8) }}
{{- end }}
