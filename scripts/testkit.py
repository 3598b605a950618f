"""What the end-to-end test scripts share: check bookkeeping in the `N passed, N failed` form CI
reads, short samples for messages, free ports and URLs with the password hidden.

Python 3.11 standard library only; the scripts import it from this folder.
"""

from __future__ import annotations

import socket
import subprocess
import urllib.parse
import uuid


class Checks:
    """Counts checks and prints one PASS or FAIL line for each."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.failures: list[str] = []

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if detail == "[]":  # an empty sample: nothing to show
            detail = ""
        if ok:
            self.passed += 1
            print(f"  PASS {name}" + (f" ({detail})" if detail else ""), flush=True)
        else:
            self.failed += 1
            self.failures.append(name)
            print(f"  FAIL {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok


def sample(items, n: int = 5) -> str:
    """The first `n` items for a message, with how many there are in all."""
    items = list(items)
    shown = ", ".join(repr(x) for x in items[:n])
    if len(items) > n:
        shown += f", ... ({len(items)} in all)"
    return "[" + shown + "]"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redact(url: str) -> str:
    """The URL with its password, if any, replaced by ***."""
    try:
        parts = urllib.parse.urlsplit(url)
        if parts.password:
            return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))
    except ValueError:
        pass
    return url


def fresh_database(url: str, prefix: str) -> tuple[str, str]:
    """A new database named `prefix` + a random suffix on the PostgreSQL server of `url` (psql):
    its URL and its name."""
    name = prefix + uuid.uuid4().hex[:12]
    subprocess.run(["psql", url, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


def drop_database(url: str, name: str) -> None:
    """Drops the database `name` on the server of `url`, its sessions ended first."""
    subprocess.run(["psql", url, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False, capture_output=True)
