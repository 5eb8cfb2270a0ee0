#!/usr/bin/env python3
"""Prints every failed test of the given TRX files with the start of its message, so a CI log
that only shows the summary line still says what failed and why."""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
FAILED = {"Failed", "Error", "Timeout", "Aborted"}

for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        print(f"failed test: {path}: unreadable TRX ({e})")
        continue
    for result in root.iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") not in FAILED:
            continue
        message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=NS).strip()
        print(f"failed test: {result.get('testName')} ({path.rsplit('/', 1)[-1]})")
        for line in message.splitlines()[:15]:
            print(f"    {line}")
