#!/usr/bin/python3
"""Regenerates the per-object field tables in docs/catalog.md from catalog/core/*.json.

Usage: /usr/bin/python3 docs/gen_catalog_md.py   (from anywhere; paths are relative to this file)
Only the text between the BEGIN/END GENERATED markers in docs/catalog.md is replaced.
"""
import json
import pathlib
import sys

DOCS = pathlib.Path(__file__).resolve().parent
CATALOG = DOCS.parent / "catalog" / "core"
TARGET = DOCS / "catalog.md"
BEGIN = "<!-- BEGIN GENERATED: gen_catalog_md.py -->"
END = "<!-- END GENERATED: gen_catalog_md.py -->"
ORDER = ["user", "account", "contact", "lead", "opportunity"]


def fmt_num(v):
    return str(int(v)) if isinstance(v, (int, float)) and float(v).is_integer() else str(v)


def constraints(f):
    out = []
    if f.get("required"):
        out.append("required")
    if f.get("unique"):
        out.append("unique")
    if f.get("read_only"):
        out.append("read-only")
    if "max_length" in f:
        out.append("max %d chars" % f["max_length"])
    if "min" in f or "max" in f:
        out.append("range %s..%s" % (fmt_num(f["min"]) if "min" in f else "", fmt_num(f["max"]) if "max" in f else ""))
    if "precision" in f:
        out.append("precision %d" % f["precision"])
    if f["type"] in ("number", "currency", "percent"):
        scale = f.get("scale", 0 if f["type"] == "number" else 2)
        out.append("integer" if f["type"] == "number" and scale == 0 else "scale %d" % scale)
    if "default" in f:
        out.append("default `%s`" % json.dumps(f["default"]))
    if f.get("searchable"):
        out.append("searchable")
    if f.get("indexed"):
        out.append("indexed")
    if "reference" in f:
        out.append("-> `%s` (on delete %s)" % (f["reference"], f.get("on_delete", "set_null")))
    if "format" in f:
        out.append("format `%s`" % f["format"])
    if "expression" in f:
        out.append("= `%s`" % f["expression"])
    return ", ".join(out)


def option_text(o):
    extra = []
    if "probability" in o:
        extra.append("%s %%" % fmt_num(o["probability"]))
    if o.get("is_won"):
        extra.append("won")
    if o.get("is_lost"):
        extra.append("lost")
    return "`%s`%s" % (o["value"], " (%s)" % ", ".join(extra) if extra else "")


def render():
    objects = {}
    for path in sorted(CATALOG.glob("*.json")):
        obj = json.loads(path.read_text(encoding="utf-8"))
        objects[obj["name"]] = obj
    names = [n for n in ORDER if n in objects] + sorted(n for n in objects if n not in ORDER)
    lines = []
    for name in names:
        obj = objects[name]
        caps = ", ".join(k for k, v in obj.get("capabilities", {}).items() if v) or "none"
        lines += ["### %s (`%s`, %d fields)" % (obj["label"], name, len(obj["fields"])), "",
                  obj.get("description", ""), "", "Capabilities: %s." % caps, "",
                  "| field | type | label | constraints | options |", "| --- | --- | --- | --- | --- |"]
        for f in obj["fields"]:
            opts = ", ".join(option_text(o) for o in f.get("options", []))
            lines.append("| `%s` | %s | %s | %s | %s |" % (f["name"], f["type"], f.get("label", ""),
                                                         constraints(f), opts))
        lines.append("")
    return "\n".join(lines)


def main():
    text = TARGET.read_text(encoding="utf-8")
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        sys.exit("%s: markers not found" % TARGET)
    new = text[:start + len(BEGIN)] + "\n" + render() + text[stop:]
    if new != text:
        TARGET.write_text(new, encoding="utf-8")
    print("%s %s" % (TARGET, "updated" if new != text else "unchanged"))


if __name__ == "__main__":
    main()
