{{/* Chart name, overridable. */}}
{{- define "tailor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object name prefix: the release name, with the chart name unless the release already has it. */}}
{{- define "tailor.fullname" -}}
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

{{- define "tailor.agentName" -}}{{ include "tailor.fullname" . | trunc 57 | trimSuffix "-" }}-agent{{- end }}
{{- define "tailor.aggregatorName" -}}{{ include "tailor.fullname" . | trunc 52 | trimSuffix "-" }}-aggregator{{- end }}

{{/* Labels every object carries. */}}
{{- define "tailor.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "tailor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tailor
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "agent"). */}}
{{- define "tailor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tailor.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component's objects: (dict "root" $ "component" "agent"). */}}
{{- define "tailor.componentLabels" -}}
{{ include "tailor.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* "<global.imageRegistry>/<repository>", or the repository alone: (dict "root" $ "repository" r). */}}
{{- define "tailor.imageName" -}}
{{- with .root.Values.global.imageRegistry -}}{{ trimSuffix "/" . }}/{{- end -}}{{ .repository }}
{{- end }}

{{- define "tailor.image" -}}
{{- $repository := required "image.repository is required: no public image is published; build deploy/image/Dockerfile, push it to your registry and set image.repository (docs/install.md)" .Values.image.repository }}
{{- $name := include "tailor.imageName" (dict "root" . "repository" $repository) }}
{{- if .Values.image.digest -}}
{{ $name }}@{{ .Values.image.digest }}
{{- else -}}
{{ $name }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}
{{- end }}

{{/* Service account names: the chart's own, a named one, or the namespace's default. */}}
{{- define "tailor.agentServiceAccount" -}}
{{- if .Values.agent.serviceAccount.create -}}
{{ default (include "tailor.agentName" .) .Values.agent.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.agent.serviceAccount.name }}
{{- end }}
{{- end }}
{{- define "tailor.aggregatorServiceAccount" -}}
{{- if .Values.aggregator.serviceAccount.create -}}
{{ default (include "tailor.aggregatorName" .) .Values.aggregator.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.aggregator.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The agent container's securityContext, whose keys agent.securityContext replaces. Root for
the host's bpffs and cgroup files, but not privileged: exactly the three capabilities
docs/agent.md lists (load and pin BPF, attach a tracing program, name a cgroup from its id).
With agent.bpffs.mount it may mount a bpffs, which takes privileged (Bidirectional propagation).
*/}}
{{- define "tailor.agentSecurityContext" -}}
runAsUser: 0
runAsGroup: 0
privileged: {{ .Values.agent.bpffs.mount }}
allowPrivilegeEscalation: {{ .Values.agent.bpffs.mount }}
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
  add: [BPF, PERFMON, DAC_READ_SEARCH]
{{- end }}

{{- define "tailor.aggregatorSecurityContext" -}}
runAsNonRoot: true
privileged: false
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{- define "tailor.aggregatorPodSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ int64 .Values.aggregator.runAsUser }}
runAsGroup: {{ int64 .Values.aggregator.runAsUser }}
seccompProfile:
  {{- if eq .Values.aggregator.seccompProfile.type "Tailor" }}
  type: Localhost
  localhostProfile: {{ include "tailor.aggregatorLocalhostProfile" . }}
  {{- else }}
  type: RuntimeDefault
  {{- end }}
{{- end }}

{{- define "tailor.agentPodSecurityContext" -}}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
A securityContext: the chart's (template `default`) with each key the user set (`override`)
replacing the chart's whole, false and empty values included (Helm's deep merge skips those,
so it could not turn the chart's true into false).
*/}}
{{- define "tailor.mergedSecurityContext" -}}
{{- $merged := fromYaml (include .default .root) }}
{{- range $key, $value := .override }}
{{- $_ := set $merged $key $value }}
{{- end }}
{{- toYaml $merged }}
{{- end }}

{{/* The agent's audience for its projected token; the aggregator checks it with a TokenReview. */}}
{{- define "tailor.audience" -}}tailor-aggregator{{- end }}

{{/* The aggregator's in-cluster DNS name, which its certificate names. */}}
{{- define "tailor.aggregatorHost" -}}
{{ include "tailor.aggregatorName" . }}.{{ .Release.Namespace }}.svc
{{- end }}

{{/* The Secret holding the aggregator's serving certificate, key and CA. */}}
{{- define "tailor.tlsSecret" -}}
{{- if eq .Values.tls.source "secret" -}}
{{ required "tls.existingSecret is required when tls.source is secret" .Values.tls.existingSecret }}
{{- else -}}
{{ include "tailor.aggregatorName" . }}-tls
{{- end }}
{{- end }}

{{/* The Secret with the agents' client certificate (mutual TLS). */}}
{{- define "tailor.clientTlsSecret" -}}{{ include "tailor.agentName" . }}-client-tls{{- end }}

{{/* The ConfigMap with the CA the chart generated, for agents. */}}
{{- define "tailor.caConfigMap" -}}{{ include "tailor.aggregatorName" . }}-ca{{- end }}

{{/* The SeccompProfile (type Tailor) the aggregator runs under, and its path as SPO installs it. */}}
{{- define "tailor.aggregatorProfileName" -}}{{ include "tailor.aggregatorName" . }}{{- end }}
{{- define "tailor.aggregatorLocalhostProfile" -}}
{{- if eq .Values.aggregator.seccompProfile.spoVersion "v1beta1" -}}
operator/{{ .Release.Namespace }}/{{ include "tailor.aggregatorProfileName" . }}.json
{{- else -}}
operator/{{ include "tailor.aggregatorProfileName" . }}.json
{{- end }}
{{- end }}

{{- define "tailor.agentPriorityClass" -}}
{{- if .Values.agent.priorityClass.create -}}
{{ default (printf "%s" (include "tailor.agentName" .)) .Values.agent.priorityClass.name }}
{{- else -}}
{{ .Values.agent.priorityClass.name }}
{{- end }}
{{- end }}

{{/* The volume source of the CA agents trust: never a Secret with a private key when avoidable. */}}
{{- define "tailor.agentCAVolume" -}}
{{- if .Values.tls.caConfigMap -}}
configMap:
  name: {{ .Values.tls.caConfigMap }}
  items:
    - {key: ca.crt, path: ca.crt}
{{- else if eq .Values.tls.source "chart" -}}
configMap:
  name: {{ include "tailor.caConfigMap" . }}
{{- else -}}
secret:
  secretName: {{ include "tailor.tlsSecret" . }}
  items:
    - {key: ca.crt, path: ca.crt}
{{- end }}
{{- end }}
