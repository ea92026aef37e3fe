{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name; the release name alone when it already contains the chart name. */}}
{{- define "service.fullname" -}}
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

{{- define "service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Pod selector. A blue-green colour adds `version`, which the production Service selects. */}}
{{- define "service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- with .Values.deployment.suffix }}
version: {{ . }}
{{- end }}
{{- end }}

{{- define "service.labels" -}}
helm.sh/chart: {{ include "service.chart" . }}
{{ include "service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: visiobook
{{- end }}

{{- define "service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The container environment: image version, plain values and Secret references. */}}
{{- define "service.env" -}}
- name: SERVICE_VERSION
  value: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- if .Values.monitoring.enabled }}
- name: PROMETHEUS_PORT
  value: {{ .Values.monitoring.port | quote }}
{{- end }}
{{- range $name, $secret := .Values.secrets }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret.secretName }}
      key: {{ $secret.key }}
{{- end }}
{{- end }}

{{/* Whether Prometheus scrapes the pods: a backend serves its own /metrics (monitoring.enabled),
     the frontend through the nginx exporter sidecar (monitoring.nginxExporter.enabled). */}}
{{- define "service.metricsEnabled" -}}
{{- if or .Values.monitoring.enabled (dig "nginxExporter" "enabled" false .Values.monitoring) }}true{{ end }}
{{- end }}
