#!/usr/bin/env python3
"""Run every unit test binary and every integration test; print one line
per test program or test function and, last, "N passed, M failed".

Cases are discovered: build/tests/test_* binaries, and test_* functions in
tests/integration/test_*.py (each run in definition order, under the
Python of a "#!/usr/bin/python3" first line if it has one). Integration
files run two at a time. An optional argument filters file names."""
import importlib.util
import os
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("DINDEX_BUILD", "build"))


def parse_summary(text):
    for line in reversed(text.strip().splitlines()):
        parts = line.split()
        if len(parts) == 4 and parts[1] == "passed," and parts[3] == "failed":
            return int(parts[0]), int(parts[2])
    return None


def run_unit(path):
    p = subprocess.run([path], capture_output=True, text=True, timeout=600)
    counts = parse_summary(p.stdout) or (0, 1)
    if p.returncode != 0 and counts[1] == 0:
        counts = (counts[0], 1)
    return os.path.basename(path), counts, p.stdout + p.stderr


def interpreter(path):
    """The file's "#!/usr/bin/python3" line names its Python (the browser
    test needs Debian's, which has python3-selenium); else ours."""
    with open(path) as f:
        first = f.readline()
    prog = first[2:].split()[0] if first.startswith("#!/") else ""
    return prog if os.access(prog, os.X_OK) else sys.executable


def run_file(path):
    """Run one integration file in a child (crashes stay contained)."""
    t0 = time.time()
    p = subprocess.run([interpreter(path), __file__, "--file", path],
                       capture_output=True, text=True, timeout=1800)
    counts = parse_summary(p.stdout) or (0, 1)
    name = "%s (%.1fs)" % (os.path.basename(path), time.time() - t0)
    return name, counts, p.stdout + p.stderr


def one_file(path):
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("t", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    passed = failed = 0
    for name, fn in list(vars(mod).items()):
        if not name.startswith("test_") or not callable(fn):
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok   %s (%.2fs)" % (name, time.time() - t0), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s\n%s" % (name, traceback.format_exc()), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--file":
        return one_file(argv[2])
    pattern = argv[1] if len(argv) > 1 else ""
    units = sorted(os.path.join(BUILD, "tests", f)
                   for f in os.listdir(os.path.join(BUILD, "tests"))
                   if f.startswith("test_") and not f.endswith(".d")
                   and pattern in f) if os.path.isdir(
                       os.path.join(BUILD, "tests")) else []
    idir = os.path.join(ROOT, "tests", "integration")
    files = sorted(os.path.join(idir, f) for f in os.listdir(idir)
                   if f.startswith("test_") and f.endswith(".py")
                   and pattern in f)
    total_p = total_f = 0
    jobs = [(run_unit, u) for u in units] + [(run_file, f) for f in files]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, (p, f), out in pool.map(lambda j: j[0](j[1]), jobs):
            total_p += p
            total_f += f
            print("%-4s %s: %d passed, %d failed" %
                  ("ok" if f == 0 else "FAIL", name, p, f), flush=True)
            if f or os.environ.get("VERBOSE"):
                print("".join("     | " + l + "\n"
                              for l in out.rstrip().splitlines()))
    print("%d passed, %d failed" % (total_p, total_f))
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
