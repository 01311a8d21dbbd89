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

{{- define "tailor.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}
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
