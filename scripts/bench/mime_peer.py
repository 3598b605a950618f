#!/usr/bin/env python3
"""The peer of `rapport-bench mime`: Python's own `email` package parsing the same messages.

Parses the corpus's messages (repeated until --megabytes have been parsed) with
`email.parser.BytesParser(policy=email.policy.default)` and does what a CRM needs from each:
the decoded subject and sender's display name, the body (`get_body`, plain before HTML) as
text, and each attachment's decoded bytes. Prints one JSON line with the figures; a message
that raises is counted in "errors", not fatal.

    python3 scripts/bench/mime_peer.py --corpus Tests/RapportCoreTests/Fixtures/mail --megabytes 20
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import json
import os
import platform
import statistics
import time


def load(corpus: str) -> list[bytes]:
    names = sorted(n for n in os.listdir(corpus) if n.endswith(".eml"))
    return [open(os.path.join(corpus, n), "rb").read() for n in names]


def read(raw: bytes) -> int:
    """Parses one message the way the CRM reads it; returns a number so the work is not skipped."""
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    touched = len(str(message.get("subject", "")))
    sender = message.get("from")
    if sender is not None and getattr(sender, "addresses", None):
        touched += len(sender.addresses[0].display_name or "")
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        touched += len(body.get_content())
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        touched += len(payload or b"")
    return touched


def run_once(messages: list[bytes], megabytes: float) -> dict:
    target = int(megabytes * 1_000_000)
    parsed = errors = size = 0
    start = time.perf_counter()
    while size < target:
        for raw in messages:
            try:
                read(raw)
            except Exception:  # noqa: BLE001 - a message the package cannot read is counted
                errors += 1
            parsed += 1
            size += len(raw)
            if size >= target:
                break
    seconds = time.perf_counter() - start
    return {"messages": parsed, "bytes": size, "seconds": seconds, "mb_per_s": size / seconds / 1e6,
            "messages_per_s": parsed / seconds, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "RapportCoreTests", "Fixtures", "mail"))
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    messages = load(args.corpus)
    runs = [run_once(messages, args.megabytes) for _ in range(args.repeat)]
    best = max(runs, key=lambda r: r["mb_per_s"])
    print(json.dumps({"peer": "python-email", "python": platform.python_version(), **best,
                      "median_mb_per_s": statistics.median(r["mb_per_s"] for r in runs), "runs": len(runs)}), flush=True)


if __name__ == "__main__":
    main()
