#!/usr/bin/env python3
"""Which tables and indexes a SQLite store's write-ahead log pages belong to.

    python3 scripts/bench/wal_pages.py DATA_DIR/rapport.sqlite COPY_OF_THE_WAL

Every page a commit changes is one frame of the log (a 4 KB write, then a 4 KB copy back at the
checkpoint), so the frames per interaction and which B-trees they fall in say what an ingested
interaction costs the writer beyond its SQL. Copy the `-wal` file while `rapport-bench ingest
--data-dir DIR` runs (`cp DIR/rapport.sqlite-wal /tmp/x.wal`, and the database beside it): frames
are read up to the first one whose salts differ from the header's (a log started again, or a copy
taken mid-write), pages are mapped to B-trees with SQLite's `dbstat` on a copy of the database with
the log, and interactions are counted from the cells on the log's leaf pages of `interactions`.
"""
import collections
import os
import shutil
import sqlite3
import struct
import sys
import tempfile

HEADER = 32
FRAME_HEADER = 24
TABLE_LEAF = 0x0D


def read_log(path):
    """The commits of the log (each a list of page numbers) and each page's last image."""
    data = open(path, 'rb').read()
    _, _, page_size, _, salt1, salt2, _, _ = struct.unpack('>8I', data[:HEADER])
    commits, current, images = [], [], {}
    offset = HEADER
    while offset + FRAME_HEADER + page_size <= len(data):
        page, size_after, s1, s2, _, _ = struct.unpack('>6I', data[offset:offset + FRAME_HEADER])
        if (s1, s2) != (salt1, salt2):
            break
        current.append(page)
        images[page] = data[offset + FRAME_HEADER:offset + FRAME_HEADER + page_size]
        if size_after:  # the last frame of a commit holds the database's size after it
            commits.append(current)
            current = []
        offset += FRAME_HEADER + page_size
    return page_size, commits, images


def page_owners(database, log):
    """Page number → the name of the table or index it belongs to."""
    scratch = tempfile.mkdtemp()
    try:
        shutil.copy(database, os.path.join(scratch, 'copy.db'))
        shutil.copy(log, os.path.join(scratch, 'copy.db-wal'))
        connection = sqlite3.connect(os.path.join(scratch, 'copy.db'))
        owners = {page: name for name, page in connection.execute('SELECT name, pageno FROM dbstat')}
        connection.close()
        return owners
    finally:
        shutil.rmtree(scratch)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    database, log = sys.argv[1], sys.argv[2]
    page_size, commits, images = read_log(log)
    owners = page_owners(database, log)
    frames = collections.Counter(owners.get(page, '?') for commit in commits for page in commit)
    total = sum(frames.values())
    sizes = collections.Counter(owners.values())
    interactions = sum(int.from_bytes(image[3:5], 'big') for page, image in images.items()
                       if owners.get(page) == 'interactions' and image[0] == TABLE_LEAF)
    print(f'page size {page_size}, commits {len(commits)}, frames {total} ({total / max(1, len(commits)):.1f} a commit), '
          f'interactions {interactions} ({total / max(1, interactions):.2f} frames each)')
    for name, count in frames.most_common(25):
        print(f'{count:8d} {100 * count / total:5.1f}%  {count / max(1, len(commits)):6.1f} a commit  '
              f'{count / max(1, interactions):5.2f} an interaction  {name} ({sizes[name]} pages)')


if __name__ == '__main__':
    main()
