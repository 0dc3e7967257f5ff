#!/usr/bin/env python3
"""Kills `outcomes report` at random moments while it re-renders a report over
an existing one, and checks after each kill that the folder holds one complete
report (the old or the new, every file its manifest lists, byte for byte) and
no temporary folder.

    python3 Tests/Reliability/kill-report.py [KILLS] [--bin PATH] [--signal TERM|INT|KILL]

Two specs (the lung worked example and a copy with another title) are
rendered alternately into one folder, so that "old" and "new" differ. With
SIGKILL (which no process can catch) a temporary folder may remain until the
next run removes it; the script then checks that the next run does.
"""
import argparse, os, random, shutil, signal, subprocess, sys, tempfile, time

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
parser = argparse.ArgumentParser()
parser.add_argument("kills", nargs="?", type=int, default=50)
parser.add_argument("--bin", default=os.path.join(root, ".build/release/outcomes"))
parser.add_argument("--signal", default="TERM", choices=["TERM", "INT", "KILL"])
args = parser.parse_args()
sig = {"TERM": signal.SIGTERM, "INT": signal.SIGINT, "KILL": signal.SIGKILL}[args.signal]

work = tempfile.mkdtemp(prefix="outcomes-kill-")
specs = []
for k, title in enumerate(["Old report", "New report"]):
    folder = os.path.join(work, "spec%d" % k)
    os.makedirs(folder)
    text = open(os.path.join(root, "Reports/lung/spec.yaml")).read()
    text = text.replace("../../Datasets/", os.path.join(root, "Datasets") + "/")
    lines = text.split("\n")
    lines[0] = 'title: "%s"' % title
    path = os.path.join(folder, "spec.yaml")
    open(path, "w").write("\n".join(lines))
    specs.append(path)
out = os.path.join(work, "out")

def snapshot(folder):
    files = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            full = os.path.join(dirpath, name)
            files[os.path.relpath(full, folder)] = open(full, "rb").read()
    return files

def render(spec, target):
    r = subprocess.run([args.bin, "report", spec, "--out-dir", target], capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
    if r.returncode != 0:
        sys.exit("render failed: " + r.stderr.decode())

# The two complete reports, rendered once each into their own folders.
expected = []
for k, spec in enumerate(specs):
    target = os.path.join(work, "expected%d" % k)
    render(spec, target)
    expected.append(snapshot(target))
start = time.time(); render(specs[0], out); duration = time.time() - start

outcomes = {"old": 0, "new": 0}
problems = []
for i in range(args.kills):
    current = i % 2           # the report now in the folder
    spec = specs[1 - current]  # the one being written over it
    p = subprocess.Popen([args.bin, "report", spec, "--out-dir", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
    # Half the kills anywhere in the run, half in its last part, where the
    # files are written and swapped in.
    time.sleep(random.uniform(0, 1.5 * duration) if i % 4 < 2 else random.uniform(0.6 * duration, 1.2 * duration))
    p.send_signal(sig)
    p.wait()
    state = snapshot(out)
    if state == expected[current]:
        outcomes["old"] += 1
        render(spec, out)  # finish the switch, so the next round starts from the other report
    elif state == expected[1 - current]:
        outcomes["new"] += 1
    else:
        problems.append("kill %d: the folder holds neither complete report" % (i + 1))
        break
    leftovers = [e for e in os.listdir(work) if e.startswith(".out.outcomes-")]
    if leftovers and sig != signal.SIGKILL:
        problems.append("kill %d: temporary folder left: %s" % (i + 1, leftovers))
    if leftovers and sig == signal.SIGKILL:
        render(specs[current if state == expected[current] else 1 - current], out)
        if [e for e in os.listdir(work) if e.startswith(".out.outcomes-")]:
            problems.append("kill %d: the next run did not remove the temporary folder" % (i + 1))

print("%d kills (SIG%s) at random moments in %.0f ms re-renders: old report %d, new report %d, problems %d"
      % (args.kills, args.signal, 1.5 * duration * 1000, outcomes["old"], outcomes["new"], len(problems)))
for p in problems:
    print(p)
shutil.rmtree(work)
sys.exit(1 if problems else 0)
