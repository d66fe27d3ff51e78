"""Judges JSON texts as the lab promises to: strict JSON (Python's json module: no trailing commas, no
comments, no NaN) with each key once per object. Reads one hex-encoded text per line on stdin, prints 1
(valid) or 0 per line."""

import json
import sys


def no_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def reject_constant(name):
    raise ValueError("not JSON: " + name)


for line in sys.stdin:
    try:
        text = bytes.fromhex(line.strip()).decode("utf-8")
        json.loads(text, object_pairs_hook=no_duplicates, parse_constant=reject_constant)
        print(1)
    except (ValueError, UnicodeDecodeError, RecursionError):
        print(0)
