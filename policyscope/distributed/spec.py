"""Which cluster a command runs on: parsed from --scheduler / --cluster / POLICYSCOPE_SCHEDULER.

Pure parsing, no Dask import: a command without any of them never touches dask.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from policyscope.errors import UsageError

ENV_VAR = "POLICYSCOPE_SCHEDULER"
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"(?:(tcp|tls)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):(\d{1,5})/?")


@dataclass(frozen=True)
class ClusterSpec:
    """A Dask scheduler to connect to (`address`), or a LocalCluster of `local_workers` processes to start."""

    address: str | None = None  # tcp://host:port
    local_workers: int | None = None

    @property
    def label(self) -> str:
        return self.address or f"local:{self.local_workers}"

    @property
    def host_port(self) -> tuple[str, int]:
        m = _ADDRESS.fullmatch(self.address or "")
        assert m, self.address
        return m.group(2).strip("[]"), int(m.group(3))

    @classmethod
    def parse(cls, text: str) -> "ClusterSpec":
        """`local:N`, `tcp://host:port`, `tls://host:port` or `host:port`; UsageError otherwise."""
        text = text.strip()
        m = _LOCAL.fullmatch(text)
        if m:
            n = int(m.group(1))
            if n < 1:
                raise UsageError(f"--cluster {text}: a local cluster needs at least one worker (local:1)")
            return cls(local_workers=n)
        m = _ADDRESS.fullmatch(text)
        if not m or not 0 < int(m.group(3)) < 65536:
            raise UsageError(f"not a Dask scheduler address: {text!r}",
                             hint="use tcp://HOST:PORT (as `dask scheduler` prints it), or --cluster local:N")
        return cls(address=f"{m.group(1) or 'tcp'}://{m.group(2)}:{int(m.group(3))}")


def choose_cluster(scheduler: str | None, cluster: str | None,
                   env: Mapping[str, str] | None = None) -> ClusterSpec | None:
    """The cluster named by --scheduler ADDRESS or --cluster local:N, else by $POLICYSCOPE_SCHEDULER; None
    when nothing names one (the command then runs as it always has)."""
    if scheduler and cluster:
        raise UsageError("give --scheduler ADDRESS or --cluster local:N, not both")
    if cluster:
        spec = ClusterSpec.parse(cluster)
        if spec.address:
            raise UsageError(f"--cluster takes local:N (got {cluster!r})", hint="a running scheduler is --scheduler ADDRESS")
        return spec
    if scheduler:
        spec = ClusterSpec.parse(scheduler)
        if spec.local_workers:
            raise UsageError(f"--scheduler takes an address (got {scheduler!r})", hint=f"use --cluster {scheduler}")
        return spec
    value = (os.environ if env is None else env).get(ENV_VAR, "").strip()
    if value:
        try:
            return ClusterSpec.parse(value)
        except UsageError as exc:
            raise UsageError(f"${ENV_VAR}: {exc.message}", hint=exc.hint) from None
    return None
