{{/*
Checks of values that would render valid Kubernetes objects but a broken deployment. Each stops
rendering (`fail`) with what is wrong and how to fix it. Included once, from configmap.yaml.
*/}}
{{- define "bmp-pipeline.validate" -}}
{{- $partitions := int .Values.topics.partitions -}}
{{- if lt $partitions 1 -}}
{{- fail (printf "topics.partitions must be at least 1 (got %d)" $partitions) -}}
{{- end -}}
{{- range $key, $consumer := dict "peerState" .Values.peerState "routeChanges" .Values.routeChanges -}}
{{- if and $consumer.enabled (gt (int $consumer.replicas) $partitions) -}}
{{- fail (printf "%s.replicas (%d) exceeds topics.partitions (%d): a Kafka consumer group gives each partition to one consumer, so replicas beyond the partition count would sit idle. Lower %s.replicas or raise topics.partitions (and the partitions of the existing topics)." $key (int $consumer.replicas) $partitions $key) -}}
{{- end -}}
{{- end -}}
{{- $svc := .Values.ingest.service -}}
{{- if and (has $svc.type (list "LoadBalancer" "NodePort")) (eq $svc.externalTrafficPolicy "Cluster") (eq .Values.ingest.proxyProtocol "off") -}}
{{- fail "ingest.service.externalTrafficPolicy is Cluster and ingest.proxyProtocol is off: nodes would source-NAT router connections and every router would appear with a node's address. Use externalTrafficPolicy Local, or a load balancer that sends PROXY protocol with ingest.proxyProtocol=required and ingest.trustedProxies set to its addresses." -}}
{{- end -}}
{{- if not (has .Values.ingest.proxyProtocol (list "off" "required")) -}}
{{- fail (printf "ingest.proxyProtocol must be off or required (got %v)" .Values.ingest.proxyProtocol) -}}
{{- end -}}
{{- if and (eq .Values.ingest.proxyProtocol "required") (empty .Values.ingest.trustedProxies) -}}
{{- fail "ingest.proxyProtocol is required but ingest.trustedProxies is empty: list the load balancer's source addresses (CIDRs), or anyone reaching the port could claim any router address." -}}
{{- end -}}
{{- if and .Values.ingest.autoscaling.enabled (not (dig "requests" "cpu" "" .Values.ingest.resources)) -}}
{{- fail "ingest.autoscaling.enabled needs ingest.resources.requests.cpu: the HorizontalPodAutoscaler scales on CPU use relative to the request." -}}
{{- end -}}
{{- if and .Values.ingest.autoscaling.enabled (gt (int .Values.ingest.autoscaling.minReplicas) (int .Values.ingest.autoscaling.maxReplicas)) -}}
{{- fail "ingest.autoscaling.minReplicas exceeds ingest.autoscaling.maxReplicas" -}}
{{- end -}}
{{- if and .Values.secrets.create (not .Values.secrets.existingSecret) (ne .Values.kafka.sasl.mechanism "none") (not .Values.kafka.sasl.password) -}}
{{- fail (printf "kafka.sasl.mechanism is %s but kafka.sasl.password is empty: set it (it goes into the chart's Secret) or name a Secret holding BMP_KAFKA_SASL_USERNAME and BMP_KAFKA_SASL_PASSWORD in secrets.existingSecret." .Values.kafka.sasl.mechanism) -}}
{{- end -}}
{{- if and (not .Values.secrets.create) (not .Values.secrets.existingSecret) (or (ne .Values.kafka.sasl.mechanism "none") .Values.registry.username) -}}
{{- fail "credentials are needed (kafka.sasl.mechanism or registry.username is set) but secrets.create is false and secrets.existingSecret is empty" -}}
{{- end -}}
{{- if and .Values.tls.caSecret.name (not .Values.tls.caSecret.key) -}}
{{- fail "tls.caSecret.key must name the key of the CA bundle in tls.caSecret.name" -}}
{{- end -}}
{{- end -}}
