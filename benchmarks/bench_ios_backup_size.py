"""A large generated iPhone backup: time and peak memory of ``scan --ios-backup``, plain and
encrypted (in-memory decryption), alternately.

    .venv/bin/python benchmarks/bench_ios_backup_size.py --messages 200000 --runs 2

The backup (tests/ios_backup/make_backup.py) holds ``--messages`` SMS/iMessages with two
links each, half as many Safari visits and WhatsApp messages (one link each), and 300 apps.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.ios_backup.make_backup import Spec, write_backup  # noqa: E402


def spec(count: int) -> Spec:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return Spec(
        messages=[(f"message {i} see https://site{i % 5000}.example.net/p/{i} and www.x{i % 97}.example.org",
                   "SMS" if i % 3 else "iMessage", f"+1555{i % 800:04d}", start + timedelta(minutes=i))
                  for i in range(count)],
        safari_history=[(f"https://host{i % 20000}.example.com/page{i}", start + timedelta(minutes=i))
                        for i in range(count // 2)],
        whatsapp=[(f"wa {i} https://wa{i % 3000}.example.net/", f"{i % 500}@s.whatsapp.net",
                   start + timedelta(minutes=i)) for i in range(count // 2)],
        installed=[f"com.app{i}.x" for i in range(300)], store_records=[f"com.app{i}.x" for i in range(300)])


def run(folder: Path, data: Path, password_file: Path | None) -> tuple[float, int]:
    command = [sys.executable, "-m", "exposure", "scan", "--ios-backup", str(folder), "--no-feeds", "--quiet"]
    if password_file:
        command += ["--password-file", str(password_file)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "EXPOSURE_DATA_DIR": str(data)}, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - started
    return took, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        plain = write_backup(root / "plain", spec(args.messages))
        locked = write_backup(root / "locked", spec(args.messages), encrypt="bench password")
        password = root / "pw.txt"
        password.write_text("bench password\n", "utf-8")
        data = root / "data"
        data.mkdir()
        print(f"load average at start: {os.getloadavg()}")
        for _ in range(args.runs):
            took, peak = run(plain, data, None)
            print(f"plain: {took:.1f} s, peak RSS of children so far {peak / 1024:.0f} MiB")
            took, peak = run(locked, data, password)
            print(f"encrypted: {took:.1f} s, peak RSS of children so far {peak / 1024:.0f} MiB")
        print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
