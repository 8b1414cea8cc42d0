{{/*
Names, labels and the pieces every pod of the chart shares (image, security context, the
configuration sources). One image serves every component; the container's args pick the entry
point (dist/services/<component>/main.js, the build of services/<component>/main.ts).
*/}}

{{- define "bmp-pipeline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bmp-pipeline.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of a component's objects: <fullname>-<component> (component: ingest, peer-state, ...). */}}
{{- define "bmp-pipeline.componentName" -}}
{{- printf "%s-%s" (include "bmp-pipeline.fullname" .root | trunc 45 | trimSuffix "-") .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bmp-pipeline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bmp-pipeline.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "bmp-pipeline.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bmp-pipeline.selectorLabels" . }}
app.kubernetes.io/part-of: bmp-pipeline
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{- define "bmp-pipeline.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "bmp-pipeline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bmp-pipeline.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret holding the Kafka SASL and registry credentials (created or existing). */}}
{{- define "bmp-pipeline.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-credentials" (include "bmp-pipeline.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Whether the values hold any credential for the chart's own Secret. */}}
{{- define "bmp-pipeline.credentialsSet" -}}
{{- if or .Values.kafka.sasl.username .Values.kafka.sasl.password .Values.registry.username .Values.registry.password -}}true{{- end -}}
{{- end -}}

{{/* Whether the chart renders the credentials Secret: asked to, and there is something to keep. */}}
{{- define "bmp-pipeline.rendersSecret" -}}
{{- if and .Values.secrets.create (not .Values.secrets.existingSecret) (include "bmp-pipeline.credentialsSet" .) -}}true{{- end -}}
{{- end -}}

{{/* Whether pods read credentials from a Secret at all (an existing one, or the chart's). */}}
{{- define "bmp-pipeline.hasSecret" -}}
{{- if or .Values.secrets.existingSecret (include "bmp-pipeline.rendersSecret" .) -}}true{{- end -}}
{{- end -}}

{{/*
Ingest's termination grace period: the preStop pause (load balancers stop sending new routers),
then the service's own grace period (ingest.gracePeriodMs, rounded up to seconds: flush and close
sessions), then a margin for the process to exit. Kubernetes kills the pod after it.
*/}}
{{- define "bmp-pipeline.ingestTerminationGraceSeconds" -}}
{{- $graceSeconds := div (add (int .Values.ingest.gracePeriodMs) 999) 1000 -}}
{{- add (int .Values.ingest.preStopSleepSeconds) $graceSeconds (int .Values.ingest.terminationMarginSeconds) -}}
{{- end -}}

{{/* Pod-level security: a non-root numeric user (the image's node user), default seccomp. */}}
{{- define "bmp-pipeline.podSecurityContext" -}}
{{- toYaml .Values.podSecurityContext -}}
{{- end -}}

{{/* Container-level security: no privilege escalation, no capabilities, read-only root. */}}
{{- define "bmp-pipeline.containerSecurityContext" -}}
{{- toYaml .Values.securityContext -}}
{{- end -}}

{{/*
Configuration sources of a container: the shared ConfigMap, the component's ConfigMap, and the
credentials Secret as environment variables (never the ConfigMap). Argument: dict root, component.
*/}}
{{- define "bmp-pipeline.envFrom" -}}
- configMapRef:
    name: {{ printf "%s-common" (include "bmp-pipeline.fullname" .root) }}
{{- if .component }}
- configMapRef:
    name: {{ include "bmp-pipeline.componentName" . }}
{{- end }}
{{- if include "bmp-pipeline.hasSecret" .root }}
- secretRef:
    name: {{ include "bmp-pipeline.secretName" .root }}
{{- end }}
{{- end -}}

{{/* Environment besides envFrom: the CA bundle file for TLS to Kafka and the registry. */}}
{{- define "bmp-pipeline.tlsEnv" -}}
{{- if .Values.tls.caSecret.name }}
- name: NODE_EXTRA_CA_CERTS
  value: {{ printf "/etc/bmp-pipeline/ca/%s" .Values.tls.caSecret.key | quote }}
{{- end }}
{{- end -}}

{{/* Volumes every pod mounts: /tmp (scratch space, as the root is read-only) and the CA file. */}}
{{- define "bmp-pipeline.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if .Values.tls.caSecret.name }}
- name: ca
  secret:
    secretName: {{ .Values.tls.caSecret.name }}
    items:
      - key: {{ .Values.tls.caSecret.key }}
        path: {{ .Values.tls.caSecret.key }}
{{- end }}
{{- end -}}

{{- define "bmp-pipeline.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.tls.caSecret.name }}
- name: ca
  mountPath: /etc/bmp-pipeline/ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* extraEnv (a map NAME: value) as a container env list. */}}
{{- define "bmp-pipeline.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Checksums of the configuration, so a config change rolls the pods. */}}
{{- define "bmp-pipeline.configChecksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/* NetworkPolicy egress rules (networkPolicy.egress): DNS, then Kafka and the registry. */}}
{{- define "bmp-pipeline.networkPolicyEgress" -}}
{{- $egress := .Values.networkPolicy.egress -}}
{{- if $egress.enabled -}}
egress:
  # DNS, to resolve the broker and registry names.
  - ports:
      - port: 53
        protocol: UDP
      - port: 53
        protocol: TCP
  # Kafka brokers and the schema registry (any destination when networkPolicy.egress.to is empty).
  - ports:
      {{- range $egress.ports }}
      - port: {{ . }}
        protocol: TCP
      {{- end }}
    {{- with $egress.to }}
    to:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- end -}}
{{- end -}}
