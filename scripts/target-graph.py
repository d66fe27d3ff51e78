#!/usr/bin/env python3
"""Prints the package's targets, lowest layer first, each with the targets it depends on, from
`swift package dump-package`; the README's architecture diagram is drawn from this list.

Exits 1 when a target's sources import a module of this package (or CSV, ArgumentParser) that the target
does not list, or list one they never import: SwiftPM would let the first build by luck of build order, and
the second hides which way a layer depends.

    python3 scripts/target-graph.py
"""
import glob
import json
import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
package = json.loads(subprocess.run(
    ["swift", "package", "--package-path", root, "dump-package"], check=True, capture_output=True, text=True).stdout)

targets = {}
for target in package["targets"]:
    dependencies = []
    for dependency in target["dependencies"]:
        kind = next(iter(dependency))
        dependencies.append(dependency[kind][0])
    targets[target["name"]] = (target["type"], dependencies)

# Modules a source may import by name: this package's targets and the products it depends on.
known = set(targets) | {"CSV", "ArgumentParser"}
# Executables a test target depends on to have them built, not to import them.
built_only = {name for name, (kind, _) in targets.items() if kind == "executable"}

problems = []
for name, (kind, dependencies) in targets.items():
    folder = os.path.join(root, "Tests" if kind == "test" else "Sources", name)
    imported = set()
    for path in glob.glob(os.path.join(folder, "**", "*.swift"), recursive=True):
        with open(path, encoding="utf-8") as source:
            imported |= set(re.findall(r"^(?:@testable )?import (\w+)", source.read(), re.M)) & known
    for module in sorted(imported - set(dependencies)):
        problems.append(f"{name} imports {module} but does not list it in Package.swift")
    for module in sorted(set(dependencies) - imported - built_only):
        problems.append(f"{name} lists {module} in Package.swift but never imports it")

# Lowest layer first: a target after everything it depends on (SwiftPM already refuses cycles).
order, placed = [], set()
while len(order) < len(targets):
    ready = sorted(name for name, (_, deps) in targets.items()
                   if name not in placed and all(d in placed or d not in targets for d in deps))
    order += ready
    placed |= set(ready)

for name in order:
    kind, dependencies = targets[name]
    local = [d for d in dependencies if d in targets]
    external = [d for d in dependencies if d not in targets]
    line = f"{name} ({kind})"
    if local:
        line += " -> " + ", ".join(local)
    if external:
        line += " [" + ", ".join(external) + "]"
    print(line)

for problem in problems:
    print(f"error: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
