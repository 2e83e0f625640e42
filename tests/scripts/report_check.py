#!/usr/bin/env python3
"""Checks pages written by `gotrace report` (tests/scripts/report.sh).

usage: report_check.py [--dom] [--xml] NAME PAGE SUMMARY_JSON [NAME PAGE SUMMARY_JSON ...]

Per page, one line "ok NAME" or "not ok NAME: reason":
  - every element closed, in order (html.parser, HTML's void elements aside);
    with --xml also well-formed XML (xml.etree), as the page is written;
  - every section present with its heading: summary, overview, groups,
    latency, tasks, mmu, stacks;
  - nothing loaded from elsewhere: no src, no href but to "#...", no
    <link>, <img>, <iframe>, <object>, <embed>, no url( or @import in styles,
    no http(s):// outside xmlns attributes;
  - every figure (data-key="path" data-value="raw") equals the value at that
    path in SUMMARY_JSON (`gotrace summary --json` of the same trace), and
    its text shows the same value: a count as the number, a duration in Go's
    syntax (parsed back to ns exactly), an MMU to 6 decimals; the figures
    that every trace has are there;
  - with --dom (a browser's DOM after the script ran): the script finished
    (it marks <body data-script="ok">) and the tables can still be read.
"""
import html.parser
import json
import re
import sys
import xml.etree.ElementTree as ET

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param"}
SECTIONS = ["summary", "overview", "groups", "latency", "tasks", "mmu", "stacks"]
REQUIRED = ["trace.events", "trace.duration_ns", "trace.size_bytes", "scheduler.goroutines", "scheduler.threads",
            "scheduler.procs", "scheduler.sched_latency.count", "gc.cycles", "gc.stw_count", "gc.stw_total_ns"]
UNITS = {"ns": 1, "us": 1000, "\u00b5s": 1000, "\u03bcs": 1000, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
         "h": 3600 * 10**9}


def parse_duration(s):
    """Go's time.Duration.String output back to ns, exactly."""
    s = s.strip()
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    if s == "0s":
        return 0
    total = 0
    for num, unit in re.findall(r"([0-9.]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)", s):
        if "." in num:
            whole, frac = num.split(".")
        else:
            whole, frac = num, ""
        scale = UNITS[unit]
        total += int(whole) * scale
        if frac:
            total += int(frac) * scale // 10 ** len(frac)
    if re.sub(r"([0-9.]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)", "", s):
        raise ValueError("not a duration: %r" % s)
    return -total if neg else total


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []
        self.sections = {}
        self.current_section = None
        self.figures = []  # [key, value, classes, text]
        self.fig_open = None
        self.external = []
        self.body_attrs = {}
        self.in_style = False
        self.style = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "body":
            self.body_attrs = a
        if tag == "section" and "id" in a:
            self.sections[a["id"]] = False
            self.current_section = a["id"]
        if tag == "h2" and self.current_section:
            self.sections[self.current_section] = True
        if tag in ("link", "img", "iframe", "object", "embed", "audio", "video"):
            self.external.append("<%s>" % tag)
        for k, v in attrs:
            v = v or ""
            if k == "src":
                self.external.append("src=%s" % v)
            if k == "href" and not v.startswith("#"):
                self.external.append("href=%s" % v)
            if k != "xmlns" and re.search(r"https?://", v):
                self.external.append("%s=%s" % (k, v))
            if k == "style" and ("url(" in v or "@import" in v):
                self.external.append("style %s" % v)
        if "data-key" in a:
            self.figures.append([a["data-key"], a.get("data-value"), a.get("class", ""), ""])
            self.fig_open = len(self.stack)
        if tag == "style":
            self.in_style = True

    def handle_startendtag(self, tag, attrs):
        # <x/>: opened and closed at once.
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %s" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack and self.stack[-1] != tag:
                    self.stack.pop()
                self.stack.pop()
            return
        if self.fig_open is not None and len(self.stack) == self.fig_open:
            self.fig_open = None
        self.stack.pop()
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.fig_open is not None:
            self.figures[-1][3] += data
        if self.in_style:
            self.style += data


def lookup(doc, path):
    cur = doc
    for part in path.split("."):
        if isinstance(cur, list):
            cur = cur[int(part)]
        elif isinstance(cur, dict):
            cur = cur[part]
        else:
            raise KeyError(path)
    return cur


def check_page(name, page, summary, dom, xml):
    with open(page, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return "not valid UTF-8: %s" % e
    if xml:
        try:
            ET.fromstring(raw)
        except ET.ParseError as e:
            return "not well-formed: %s" % e
    p = Page()
    p.feed(text)
    p.close()
    if p.errors:
        return "elements not closed in order: %s" % "; ".join(p.errors[:3])
    if p.stack:
        return "elements left open: %s" % " ".join(p.stack)
    for s in SECTIONS:
        if not p.sections.get(s):
            return "section %s missing (or without a heading)" % s
    if p.external:
        return "loads from elsewhere: %s" % p.external[0]
    if "url(" in p.style or "@import" in p.style:
        return "the style sheet loads from elsewhere"
    if dom and p.body_attrs.get("data-script") != "ok":
        return "the page's script did not finish (no <body data-script=\"ok\">)"
    with open(summary) as f:
        doc = json.load(f)
    keys = set()
    for key, value, classes, shown in p.figures:
        keys.add(key)
        try:
            want = lookup(doc, key)
        except (KeyError, IndexError, ValueError):
            return "figure %s is not in the summary's JSON" % key
        if want is None:
            return "figure %s is null in the summary's JSON" % key
        if "f" in classes.split():
            if abs(float(value) - want) > 1e-12 * max(1.0, abs(want)) or abs(float(shown) - want) > 6e-7:
                return "figure %s: page %s (shown %s), summary %r" % (key, value, shown, want)
            continue
        if int(value) != want:
            return "figure %s: page %s, summary %r" % (key, value, want)
        try:
            got = parse_duration(shown) if "dur" in classes.split() else int(shown)
        except ValueError as e:
            return "figure %s: shown %r: %s" % (key, shown, e)
        if got != want:
            return "figure %s shows %r (%d), summary %r" % (key, shown, got, want)
    for key in REQUIRED:
        if key not in keys:
            return "figure %s missing" % key
    for i in range(len(doc.get("blocking", []))):
        if "blocking.%d.time_ns" % i not in keys:
            return "blocking reason %d missing" % i
    return None


def main(argv):
    dom = xml = False
    while argv and argv[0].startswith("--"):
        dom |= argv[0] == "--dom"
        xml |= argv[0] == "--xml"
        argv = argv[1:]
    if not argv or len(argv) % 3:
        print(__doc__, file=sys.stderr)
        return 2
    failed = 0
    for i in range(0, len(argv), 3):
        name, page, summary = argv[i:i + 3]
        try:
            err = check_page(name, page, summary, dom, xml)
        except Exception as e:  # a checker crash is a failure of the case
            err = "checker: %s: %s" % (type(e).__name__, e)
        if err:
            failed += 1
            print("not ok %s: %s" % (name, err))
        else:
            print("ok %s" % name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
