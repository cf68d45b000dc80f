"""Benchmark: `exposure names` against one tshark pass on a large synthetic capture, side by side.

    .venv/bin/python benchmarks/bench_names.py [--packets 1000000] [--workdir /tmp/exposure-bench]
                                                [--rounds 2] [--skip-scan]

1. Writes a capture with ../shared/bench/make_traffic.py, planting 20 C2 domains taken from
   Echap's ioc.yaml (every 46th C2 domain, so the pick is spread over the feed).
2. Runs, alternately, ``rounds`` times each: the tshark pass from the issue, ``exposure names
   --json`` (our struct-based reader) and ``exposure names --json`` reading with scapy's
   RawPcapReader. Wall time and peak RSS come from /usr/bin/time for each process.
3. Checks that both give the same set of names (DNS, TLS server names, HTTP hosts).
4. Imports ioc.yaml into a temporary data folder and runs ``exposure scan --pcap``; checks
   that every planted domain is a finding.

Prints a Markdown table for BENCHMARKS.md.

With ``--compare-dir DIR`` it instead runs ../shared/tools/tshark-names and ``exposure names
--json`` on every capture in DIR and lists the captures where they differ (the evidence for
docs/tshark-differences.md; ~25 minutes for tcpdump's 830 captures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
IOC = SHARED / "feeds" / "stalkerware-indicators" / "ioc.yaml"
MAKE_TRAFFIC = SHARED / "bench" / "make_traffic.py"
EXPOSURE = [str(REPO / ".venv" / "bin" / "exposure")]
TSHARK = ["tshark", "-n", "-r", "{f}", "-Y", "dns || tls.handshake.type==1 || http.request", "-T", "fields",
          "-e", "dns.qry.name", "-e", "tls.handshake.extensions_server_name", "-e", "http.host"]


def planted_domains(count: int = 20) -> list[str]:
    apps = yaml.safe_load(IOC.read_text())
    domains: list[str] = []
    for app in apps:
        for domain in (app.get("c2") or {}).get("domains") or []:
            if "." in domain and "/" not in domain and domain not in domains:
                domains.append(domain)
    step = max(1, len(domains) // count)
    return domains[::step][:count]


def timed(cmd: list[str], out: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run ``cmd`` with stdout to ``out``; return (wall seconds, peak RSS in MB)."""
    stats = out.with_suffix(".time")
    with out.open("wb") as sink:
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(stats), *cmd], stdout=sink,
                       stderr=subprocess.DEVNULL, check=True, env=env)
    seconds, kb = stats.read_text().split()[-2:]
    return float(seconds), int(kb) // 1024


def tshark_names(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"dns": set(), "sni": set(), "http": set()}
    for line in path.read_text(errors="replace").splitlines():
        cols = line.split("\t")
        cols += [""] * (3 - len(cols))
        for key, value in zip(("dns", "sni", "http"), cols, strict=False):
            for item in value.split(","):
                item = item.strip().lower()
                if key == "http":
                    if item.startswith("["):
                        item = item[1:item.index("]")] if "]" in item else item
                    elif item.count(":") == 1:
                        item = item.split(":")[0]
                if item:
                    out[key].add(item)
    return out


def our_names(path: Path) -> dict[str, set[str]]:
    data = json.loads(path.read_text())
    return {"dns": set(data["dns"]), "sni": set(data["tls_sni"]) | set(data["quic_sni"]),
            "http": set(data["http_host"])}


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    tshark = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {tshark}"


def compare_dir(folder: Path) -> int:
    tool = SHARED / "tools" / "tshark-names"
    differ = compared = 0
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".pcap", ".pcapng", ".gz")):
        ours = subprocess.run([*EXPOSURE, "names", "--json", str(path)], capture_output=True, text=True)
        if ours.returncode != 0:
            continue
        try:
            theirs = subprocess.run([str(tool), str(path)], capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            print(f"{path.name}: tshark took more than 60 s")
            continue
        compared += 1
        a, b = json.loads(ours.stdout), json.loads(theirs.stdout or "{}")
        if a != b:
            differ += 1
            print(path.name)
            for key in a:
                only_t, only_e = set(b.get(key, [])) - set(a[key]), set(a[key]) - set(b.get(key, []))
                if only_t or only_e:
                    print(f"  {key}: only tshark {sorted(only_t)[:5]}, only exposure {sorted(only_e)[:5]}")
    print(f"compared {compared}, differ {differ}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--workdir", default="/tmp/exposure-bench")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--compare-dir", metavar="DIR", help="compare names with tshark-names on every capture in DIR")
    args = parser.parse_args()
    if args.compare_dir:
        return compare_dir(Path(args.compare_dir))
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    capture = work / f"traffic-{args.packets}.pcap"
    plant = work / "planted.txt"
    domains = planted_domains()
    plant.write_text("\n".join(domains) + "\n")
    if not capture.exists():
        subprocess.run([sys.executable, str(MAKE_TRAFFIC), "--packets", str(args.packets), "--out", str(capture),
                        "--plant", str(plant)], check=True)
    print(f"machine: {machine()}")
    print(f"capture: {capture} ({capture.stat().st_size / 1e6:.0f} MB, {args.packets} packets, "
          f"{len(domains)} planted C2 domains)\n")

    runs: dict[str, list[tuple[float, int]]] = {"tshark": [], "exposure names": [], "exposure names (scapy reader)": []}
    commands = {
        "tshark": [part.replace("{f}", str(capture)) for part in TSHARK],
        "exposure names": [*EXPOSURE, "names", "--json", str(capture)],
        "exposure names (scapy reader)": [*EXPOSURE, "names", "--json", "--reader", "scapy", str(capture)],
    }
    outputs = {name: work / f"out-{i}.txt" for i, name in enumerate(commands)}
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            runs[name].append(timed(cmd, outputs[name]))

    theirs = tshark_names(outputs["tshark"])
    ours = our_names(outputs["exposure names"])
    ours_scapy = our_names(outputs["exposure names (scapy reader)"])
    same = ours == theirs and ours_scapy == theirs
    best = {name: min(r[0] for r in rs) for name, rs in runs.items()}
    print(f"| program | wall time, best of {args.rounds} (s) | all runs (s) | peak RSS (MB) | vs tshark |")
    print("|---|---|---|---|---|")
    for name, rs in runs.items():
        ratio = best["tshark"] / best[name]
        print(f"| {name} | {best[name]:.1f} | {', '.join(f'{r[0]:.1f}' for r in rs)} | "
              f"{max(r[1] for r in rs)} | {ratio:.2f}x faster |" if name != "tshark" else
              f"| {name} | {best[name]:.1f} | {', '.join(f'{r[0]:.1f}' for r in rs)} | {max(r[1] for r in rs)} | 1 |")
    print(f"\nsame names as tshark: {same} "
          f"(dns {len(ours['dns'])}/{len(theirs['dns'])}, sni {len(ours['sni'])}/{len(theirs['sni'])}, "
          f"http {len(ours['http'])}/{len(theirs['http'])})")
    if not same:
        for key in theirs:
            print(f"  {key}: only tshark {sorted(theirs[key] - ours[key])[:10]}, "
                  f"only exposure {sorted(ours[key] - theirs[key])[:10]}")
    if args.skip_scan:
        return 0 if same else 1

    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, EXPOSURE_DATA_DIR=data)
        subprocess.run([*EXPOSURE, "feeds", "import", str(IOC)], check=True, env=env, capture_output=True)
        report = work / "scan-report.json"
        report.unlink(missing_ok=True)
        seconds, mb = timed([*EXPOSURE, "scan", "--pcap", str(capture), "--json", str(report), "--quiet"],
                            work / "scan-out.txt", env=env)
    result = json.loads(report.read_text())
    subjects = {f.get("subject", "") for f in result["findings"]}
    found = [d for d in domains if d in subjects]
    source = result["sources"][0]
    print(f"\nexposure scan --pcap: {seconds:.1f} s, peak RSS {mb} MB; planted C2 domains found: "
          f"{len(found)}/{len(domains)}; findings {len(result['findings'])}; "
          f"packets {source['counts']['packets']}, flows {source['counts']['flows']}")
    missing = sorted(set(domains) - set(found))
    if missing:
        print(f"  missing: {missing}")
    return 0 if same and not missing else 1


if __name__ == "__main__":
    raise SystemExit(main())
