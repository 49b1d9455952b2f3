#!/usr/bin/python3
"""Copies a topic page of docs/ into the reference: gi-docgen takes a
page's title from a "Title:" line at its top, which the pages kept
readable as plain Markdown do not have; it is their first heading.
Usage: content-page.py IN.md OUT.md"""
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"^# (.+)$", text, re.M)
if not m:
    sys.exit(f"{sys.argv[1]}: no '# title' line")
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.write(f"Title: {m.group(1).strip()}\n\n{text}")
