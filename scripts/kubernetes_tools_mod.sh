#!/usr/bin/env bash
# Rewrites tools/kubernetes/go.mod and go.sum for the Kubernetes release copier.yml pins
# (platform_tools.kubernetes), with the etcd release k8s.io/kubernetes's own go.mod names: run it
# after moving the pin, then `make tools`. Each k8s.io/* staging module k8s.io/kubernetes points
# at ./staging is replaced by its published v0.X.Y, the release vX.Y is cut with.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n '/^platform_tools:/,/^[^ ]/s/^ *kubernetes: *\(v[0-9.]*\) *$/\1/p' copier.yml)
staging="v0.${version#v1.}"
dir=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
etcd=$(sed -n 's|^\tgo.etcd.io/etcd/server/v3 \(v[^ ]*\).*|\1|p' "$dir/go.mod")
mod=tools/kubernetes/go.mod
header=$(sed -n '/^module /q;p' "$mod")
{
  printf '%s\n' "$header"
  cat <<MOD
module visiobook-scaffold/tools/kubernetes

go $(sed -n 's/^go //p' "$dir/go.mod")

tool (
	go.etcd.io/etcd/server/v3
	k8s.io/kubernetes/cmd/kube-apiserver
	k8s.io/kubernetes/cmd/kube-controller-manager
	k8s.io/kubernetes/cmd/kubectl
)

require (
	go.etcd.io/etcd/server/v3 $etcd
	k8s.io/kubernetes $version
)

replace (
MOD
  sed -n 's|^\t\(k8s.io/[a-z-]*\) => ./staging/.*|\t\1 => \1 '"$staging"'|p' "$dir/go.mod"
  echo ")"
} >"$mod.new"
mv "$mod.new" "$mod"
rm -f tools/kubernetes/go.sum
go -C tools/kubernetes mod tidy
echo "tools/kubernetes: k8s.io/kubernetes $version, staging modules $staging, etcd $etcd"
