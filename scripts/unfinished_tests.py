#!/usr/bin/env python3
"""Lists the Swift Testing tests a log shows as started but never passed or failed.

Used by .ci/run when `swift test` is stopped for taking too long, so the report names the tests
that hung. Usage: unfinished_tests.py LOG
"""
import re
import sys

STARTED = re.compile(r"^◇ Test (?P<name>.+) started\.$")
ENDED = re.compile(r"^[✔✘] Test (?P<name>.+?)(?: with \d+ test cases?)? (?:passed|failed) after .*$")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    started, ended = [], set()
    with open(sys.argv[1], encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.rstrip("\n")
            if match := STARTED.match(line):
                started.append(match["name"])
            elif match := ENDED.match(line):
                ended.add(match["name"])
    unfinished = [name for name in dict.fromkeys(started)
                  if name not in ended and name != "run" and not name.startswith("case passing ")]
    for name in unfinished:
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
