"""A private Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager.

Built by `make tools` at the release copier.yml pins (platform_tools.kubernetes). No kubelet
and no scheduler: Pods are admitted (Pod Security included) and stay Pending, never run. helm
and kubectl reach it through a kubeconfig of their own (KUBECONFIG, HELM_*_HOME, KUBECACHEDIR in
a temporary folder), so ~/.kube and ~/.config/helm are never read or written.
"""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
import yaml

from tests.helpers import REPO_ROOT
from tests.slow.tools import LOCAL_TOOLS, tool

# Pod Security's strictest level, enforced and warned about, as the platform's namespaces are.
RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "latest",
}
# A warning header the API server sent, as kubectl prints it (`Warning: ...`) and helm does
# (client-go's klog line, `W1129 04:23:15.123456 ...`), or a tool's own (helm's `WARNING: ...`).
WARNING = re.compile(r"^((?i:warning):|W\d{4} )", re.M)
# Only the CRDs the chart renders objects of (ServiceMonitor, PrometheusRule).
PROMETHEUS_CRDS = ("servicemonitors", "prometheusrules")


def pinned_kubernetes() -> str:
    """The Kubernetes release copier.yml pins (the one place for it)."""
    facts = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())
    return str(facts["platform_tools"]["default"]["kubernetes"])


def pinned_prometheus_operator() -> str:
    found = re.search(
        r"^PROMETHEUS_OPERATOR_VERSION := (\S+)$", (REPO_ROOT / "Makefile").read_text(), re.M
    )
    assert found is not None, "the Makefile pins no PROMETHEUS_OPERATOR_VERSION"
    return found[1]


def prometheus_crds() -> list[Path]:
    """The CRD files `make tools` took from the pinned prometheus-operator Go module."""
    name = f"prometheus-operator-crds-{pinned_prometheus_operator()}"
    folders = [LOCAL_TOOLS, *(Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p)]
    if os.environ.get("TOOLS"):
        folders.insert(0, Path(os.environ["TOOLS"]))
    for folder in folders:
        files = [folder / name / f"monitoring.coreos.com_{crd}.yaml" for crd in PROMETHEUS_CRDS]
        if all(path.is_file() for path in files):
            return files
    pytest.fail(f"{name} not found: run `make tools`", pytrace=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def binary(name: str) -> str:
    """A Kubernetes binary of the pinned release (a stale cache would judge another one)."""
    path = tool(name)
    if name == "etcd":
        return path  # its own release numbers, the one tools/kubernetes/go.mod names
    version = subprocess.run(
        [path, "version", "--client"] if name == "kubectl" else [path, "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    if pinned_kubernetes() not in version:
        pytest.fail(
            f"{path} is not Kubernetes {pinned_kubernetes()} ({version.strip()!r}): "
            "run `make tools`",
            pytrace=False,
        )
    return path


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if WARNING.match(line)]

    def check(self) -> Result:
        """Succeeded, and without a warning from the API server or the tool."""
        assert self.code == 0, self.output
        assert not self.warnings(), self.output
        return self


@dataclass
class KubeCluster:
    root: Path
    token: str = "visiobook-slow-tier-admin"
    processes: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    @property
    def kubeconfig(self) -> Path:
        return self.root / "kubeconfig"

    @property
    def env(self) -> dict[str, str]:
        """What helm and kubectl need to reach this cluster and nothing else."""
        home = self.root / "client"
        # The workflow's scripts call `helm` and `kubectl` by name: these ones.
        path = [str(Path(tool(name)).parent) for name in ("kubectl", "helm")]
        return {
            **os.environ,
            "PATH": os.pathsep.join([*path, os.environ.get("PATH", "")]),
            "KUBECONFIG": str(self.kubeconfig),
            "KUBECACHEDIR": str(home / "kube-cache"),
            "HELM_CACHE_HOME": str(home / "helm-cache"),
            "HELM_CONFIG_HOME": str(home / "helm-config"),
            "HELM_DATA_HOME": str(home / "helm-data"),
        }

    def start(self, controllers: bool = True) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._start(controllers)
        except BaseException:
            self.stop()
            raise

    def _start(self, controllers: bool) -> None:
        etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
        self._spawn(
            "etcd",
            binary("etcd"),
            "--name=default",
            f"--data-dir={self.root / 'etcd'}",
            f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
            f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
            f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
            f"--initial-cluster=default=http://127.0.0.1:{peer_port}",
            # A throwaway store: durability costs fsyncs the 2-core machine cannot spare.
            "--unsafe-no-fsync",
        )
        # One EC key signs and verifies service-account tokens (the controller manager's
        # service-account controller needs the issuer, not the key).
        key = self.root / "service-account.key"
        subprocess.run(
            ["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(key)],
            check=True,
            capture_output=True,
        )
        (self.root / "tokens.csv").write_text(f'{self.token},admin,admin,"system:masters"\n')
        certs = self.root / "certs"
        self._spawn(
            "kube-apiserver",
            binary("kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={api_port}",
            # A self-signed serving certificate for 127.0.0.1, generated at start.
            f"--cert-dir={certs}",
            f"--token-auth-file={self.root / 'tokens.csv'}",
            "--authorization-mode=RBAC",
            f"--service-account-key-file={key}",
            f"--service-account-signing-key-file={key}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-cluster-ip-range=10.96.0.0/16",
            # The `kubernetes` Service's endpoint would be the loopback address, which
            # Endpoints refuse: no reconciler (no pod ever calls the API here).
            "--endpoint-reconciler-type=none",
            # One client at a time: request queueing would only cost the 2-core machine.
            "--enable-priority-and-fairness=false",
        )
        server = f"https://127.0.0.1:{api_port}"
        self._wait_ready(server, certs / "apiserver.crt")
        # Only ours to read (it holds the admin token): helm warns of a group-readable one.
        self.kubeconfig.touch(mode=0o600)
        self.kubeconfig.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {
                            "name": "slow-tier",
                            "cluster": {
                                "server": server,
                                "certificate-authority": str(certs / "apiserver.crt"),
                            },
                        }
                    ],
                    "users": [{"name": "admin", "user": {"token": self.token}}],
                    "contexts": [
                        {"name": "slow-tier", "context": {"cluster": "slow-tier", "user": "admin"}}
                    ],
                    "current-context": "slow-tier",
                }
            )
        )
        if controllers:
            # Deployments get ReplicaSets and those get Pods (admitted, never scheduled);
            # namespaces get their `default` ServiceAccount.
            self._spawn(
                "kube-controller-manager",
                binary("kube-controller-manager"),
                f"--kubeconfig={self.kubeconfig}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                "--controllers=deployment-controller,replicaset-controller,"
                "serviceaccount-controller,garbage-collector-controller,namespace-controller",
                "--concurrent-deployment-syncs=2",
                "--concurrent-replicaset-syncs=2",
            )
        for crd in prometheus_crds():
            # Server-side: the CRDs are larger than client-side apply's annotation allows.
            self.kubectl("apply", "--server-side", "-f", str(crd)).check()
        self.kubectl(
            "wait", "--for=condition=Established", "--timeout=60s",
            *(f"crd/{crd}.monitoring.coreos.com" for crd in PROMETHEUS_CRDS),
        ).check()  # fmt: skip

    def _spawn(self, name: str, *command: str) -> None:
        log = (self.root / f"{name}.log").open("wb")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append((process, log))

    def _wait_ready(self, server: str, ca: Path, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            for process, _ in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args!r} exited: {self.logs()}")
            if ca.is_file():
                request = urllib.request.Request(  # noqa: S310 (an https URL of ours)
                    f"{server}/readyz", headers={"Authorization": f"Bearer {self.token}"}
                )
                try:
                    context = ssl.create_default_context(cafile=str(ca))
                    with urllib.request.urlopen(  # noqa: S310 (an https URL of ours)
                        request, timeout=5, context=context
                    ) as response:
                        if response.status == 200:
                            return
                except (OSError, ssl.SSLError, urllib.error.URLError) as error:
                    last = str(error)
            time.sleep(0.5)
        raise RuntimeError(f"kube-apiserver not ready in {timeout}s ({last}): {self.logs()}")

    def logs(self, lines: int = 40) -> str:
        tails = []
        for path in sorted(self.root.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(tails)

    def stop(self) -> None:
        # The API server first, etcd last: each stops cleanly on SIGTERM.
        for process, log in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        self.processes.clear()

    def run(
        self, *command: str, cwd: Path | None = None, stdin: str | None = None, timeout: int = 300
    ) -> Result:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def kubectl(self, *args: str, stdin: str | None = None) -> Result:
        return self.run(tool("kubectl"), *args, stdin=stdin)

    def helm(self, *args: str, cwd: Path | None = None) -> Result:
        return self.run(tool("helm"), *args, cwd=cwd)

    def get(self, *args: str) -> Any:
        """A kubectl get's object (or list) as JSON."""
        return json.loads(self.kubectl("get", "--output=json", *args).check().stdout)

    def namespace(self, name: str) -> None:
        """A namespace enforcing, and warning about, Pod Security's `restricted` level."""
        manifest = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": RESTRICTED},
        }
        self.kubectl("apply", "-f", "-", stdin=json.dumps(manifest)).check()
