#!/usr/bin/env sh
# Makes a Helm v3 binary of the pinned version available at .local-stack/bin/helm (git-ignored),
# for the chart's lint and template checks (test/unit/deploy/helm.test.ts). Idempotent:
#   1. .local-stack/bin/helm of the pinned version: nothing to do;
#   2. a helm of that version on the PATH or in Go's bin directory: linked there;
#   3. otherwise built from source through the Go module proxy (`go install`, a few minutes on a
#      small machine; Go's module and build caches make a rebuild quick).
# Prints the path of the binary on stdout.
set -eu
cd "$(dirname "$0")/.."
HELM_VERSION="${BMP_HELM_VERSION:-v3.19.0}"
BIN_DIR="$PWD/.local-stack/bin"
TARGET="$BIN_DIR/helm"

version_of() {
  "$1" version --template '{{.Version}}' 2>/dev/null || true
}

if [ -x "$TARGET" ] && [ "$(version_of "$TARGET")" = "$HELM_VERSION" ]; then
  echo "$TARGET"
  exit 0
fi
mkdir -p "$BIN_DIR"
rm -f "$TARGET"

for candidate in "$(command -v helm 2>/dev/null || true)" "$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin/helm"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && [ "$(version_of "$candidate")" = "$HELM_VERSION" ]; then
    ln -s "$candidate" "$TARGET"
    echo "$TARGET"
    exit 0
  fi
done

command -v go >/dev/null || { echo "ensure-helm: helm $HELM_VERSION is missing and Go is not installed to build it" >&2; exit 1; }
echo "ensure-helm: building helm $HELM_VERSION with go install (a few minutes)..." >&2
# -mod=mod: resolve Helm's module graph from its go.mod alone. The -X flags set what Helm's own
# Makefile sets: its version, and the Kubernetes version it assumes without a cluster (that of
# its client-go, 1.34 for v3.19; `go install` alone leaves 1.20, below the chart's kubeVersion).
KUBE_MINOR="${BMP_HELM_KUBE_MINOR:-34}"
LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in pkg/lint/rules pkg/chartutil; do
  LDFLAGS="$LDFLAGS -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$KUBE_MINOR"
done
GOBIN="$BIN_DIR" GOFLAGS=-mod=mod go install -ldflags "$LDFLAGS" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
[ "$(version_of "$TARGET")" = "$HELM_VERSION" ] || { echo "ensure-helm: built helm does not report $HELM_VERSION" >&2; exit 1; }
echo "$TARGET"
