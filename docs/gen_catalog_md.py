#!/usr/bin/python3
"""Regenerates the reference part of docs/catalog.md from catalog/<package>/*.json.

Usage: /usr/bin/python3 docs/gen_catalog_md.py           rewrite docs/catalog.md if it is out of date
       /usr/bin/python3 docs/gen_catalog_md.py --check   exit 1 (and say why) if it is out of date
Paths are relative to this file. Only the text between the BEGIN/END GENERATED markers is replaced.
The ctest test model.catalog_docs_up_to_date runs --check.
"""
import json
import pathlib
import sys

DOCS = pathlib.Path(__file__).resolve().parent
CATALOG = DOCS.parent / "catalog"
TARGET = DOCS / "catalog.md"
BEGIN = "<!-- BEGIN GENERATED: gen_catalog_md.py -->"
END = "<!-- END GENERATED: gen_catalog_md.py -->"
# Same order as hotcrm::standard_packages() (src/model/packages.cpp).
PACKAGE_ORDER = ["platform", "crm", "marketing", "products", "finance", "support", "hr"]
OBJECT_ORDER = ["user", "account", "contact", "lead", "opportunity"]


def fmt_num(v):
    return str(int(v)) if isinstance(v, (int, float)) and float(v).is_integer() else str(v)


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


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
    if f.get("personal_data"):
        out.append("personal data")
    if "track_history" in f:
        out.append("history tracked" if f["track_history"] else "history not tracked")
    if "reference" in f:
        out.append("-> `%s` (on delete %s)" % (f["reference"], f.get("on_delete", "set_null")))
    if "format" in f:
        out.append("format `%s`" % f["format"])
    if "expression" in f:
        out.append("= `%s` (%s)" % (f["expression"], f.get("return_type", "")))
    if "rollup" in f:
        r = f["rollup"]
        what = r["function"].upper() + ("(%s.%s)" % (r["object"], r["field"]) if r.get("field") else "(%s)" % r["object"])
        out.append("roll-up %s via `%s`%s" % (what, r["via"], " where `%s`" % r["filter"] if r.get("filter") else ""))
    if "package" in f:
        out.append("added by package `%s`" % f["package"])
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


def load():
    """The objects of catalog/, with the package extensions (catalog/<package>/extends/*.json) applied
    in package order, as the library does; returns (objects, extensions)."""
    objects, extensions = {}, []
    for path in sorted(CATALOG.rglob("*.json")):
        obj = json.loads(path.read_text(encoding="utf-8"))
        package = obj.get("package", "")
        folder = path.parent.parent.name if path.parent.name == "extends" else path.parent.name
        if package != folder:
            sys.exit("%s: package '%s' does not match its folder" % (path, package))
        if package not in PACKAGE_ORDER:
            sys.exit("%s: unknown package '%s'" % (path, package))
        if "extends" in obj:
            extensions.append(obj)
        else:
            objects[obj["name"]] = obj
    extensions.sort(key=lambda e: PACKAGE_ORDER.index(e["package"]))
    for ext in extensions:
        target = objects[ext["extends"]]
        target["fields"] = target["fields"] + [dict(f, package=ext["package"]) for f in ext.get("fields", [])]
        target["validation_rules"] = (target.get("validation_rules", []) +
                                      [dict(r, package=ext["package"]) for r in ext.get("validation_rules", [])])
        target["workflow_rules"] = target.get("workflow_rules", []) + ext.get("workflow_rules", [])
    return objects, extensions


def render_object(obj):
    caps = ", ".join(k for k, v in obj.get("capabilities", {}).items() if v) or "none"
    lines = ["#### %s (`%s`, %d fields)" % (obj["label"], obj["name"], len(obj["fields"])), "",
             obj.get("description", ""), "", "Capabilities: %s." % caps, "",
             "| field | type | label | constraints | options |", "| --- | --- | --- | --- | --- |"]
    for f in obj["fields"]:
        opts = ", ".join(option_text(o) for o in f.get("options", []))
        lines.append("| `%s` | %s | %s | %s | %s |" % (f["name"], f["type"], cell(f.get("label", "")),
                                                     cell(constraints(f)), opts))
    rules = obj.get("validation_rules", [])
    if rules:
        lines += ["", "Validation rules (the record is rejected when the condition is true):", "",
                  "| rule | condition | field | message |", "| --- | --- | --- | --- |"]
        for r in rules:
            added = " (added by package `%s`)" % r["package"] if "package" in r else ""
            lines.append("| `%s`%s | `%s` | %s | %s |" % (r["name"], added, cell(r["condition"]),
                                                        "`%s`" % r["error_field"] if r.get("error_field") else "",
                                                        cell(r["message"])))
    lines += render_automation(obj)
    lines += render_processes(obj)
    lines.append("")
    return lines


def action_text(a):
    kind = a["type"]
    if kind == "field_update":
        target = a["target"] + "." if a.get("target") else ""
        value = a["value"]
        shown = ("`%s`" % next(iter(value.values()))) if isinstance(value, dict) else json.dumps(value)
        text = "set %s%s = %s" % (target, a["field"], shown)
    elif kind == "create_record":
        text = "create %s" % a["object"]
    elif kind == "email":
        text = "e-mail `%s`" % a["template"]
    elif kind == "webhook":
        text = "webhook %s" % a.get("method", "POST")
    elif kind == "score":
        text = "set %s = score of model `%s`" % (a["field"], a["model"])
    else:
        text = "custom `%s`" % a["name"]
    return text + (" (if `%s`)" % cell(a["condition"]) if a.get("condition") else "")


def actions_text(actions):
    return "; ".join(action_text(a) for a in actions) or "-"


def render_automation(obj):
    """Workflow rules, scheduled rules and the state machine (docs/workflow.md)."""
    lines = []
    rules = obj.get("workflow_rules", [])
    if rules:
        lines += ["", "Workflow rules:", "", "| rule | trigger | condition | actions |", "| --- | --- | --- | --- |"]
        for r in rules:
            trigger = r["trigger"] + (", newly meets" if r.get("evaluation") == "newly_meets" else "")
            trigger += "" if r.get("active", True) else " (inactive)"
            lines.append("| `%s` | %s | `%s` | %s |" % (r["name"], trigger, cell(r.get("condition", "")),
                                                       cell(actions_text(r.get("actions", [])))))
    for r in obj.get("scheduled_rules", []):
        lines += ["", "Scheduled rule `%s`: `%s` (%s) over records where `%s`: %s." % (
            r["name"], r["cron"], r["time_zone"], cell(r.get("filter", "TRUE")), cell(actions_text(r["actions"])))]
    machine = obj.get("state_machine")
    if machine:
        lines += ["", "State machine `%s` on `%s` (initial `%s`):" % (machine["name"], machine["field"], machine["initial"]),
                  "", "| state | on entry | timeout |", "| --- | --- | --- |"]
        for st in machine["states"]:
            timeout = st.get("timeout")
            timeout_text = "-"
            if timeout:
                timeout_text = "after %s: %s" % (timeout["after"], "event `%s`" % timeout["event"] if timeout.get("event")
                                                  else actions_text(timeout.get("actions", [])))
                if timeout.get("condition"):
                    timeout_text += " if `%s`" % timeout["condition"]
            lines.append("| `%s`%s | %s | %s |" % (st["name"], " (final)" if st.get("final") else "",
                                                   cell(actions_text(st.get("on_entry", []))), cell(timeout_text)))
        lines += ["", "| event | from | to | guard | actions |", "| --- | --- | --- | --- | --- |"]
        for t in machine["transitions"]:
            source = t.get("from", "any")
            source = ", ".join(source) if isinstance(source, list) else source
            lines.append("| `%s` | %s | %s | %s | %s |" % (t["event"], source, t["to"],
                                                         "`%s`" % cell(t["guard"]) if t.get("guard") else "-",
                                                         cell(actions_text(t.get("actions", [])))))
    return lines


def approver_text(a):
    kind, value = next(iter(a.items()))
    if kind == "manager":
        return "the submitter's manager" if value == 1 else "the submitter's manager %d levels up" % value
    if kind == "queue":
        return "members of queue `%s`" % value
    if kind == "field":
        return "the user in `%s`" % value
    return "user `%s`" % value


def approvers_text(approvers):
    return ", ".join(approver_text(a) for a in approvers) or "-"


def render_approvals(obj):
    """Approval processes (docs/service.md): entry criteria, steps with their approvers, actions."""
    lines = []
    for p in obj.get("approval_processes", []):
        traits = ["order %d" % p.get("order", 0)]
        if not p.get("active", True):
            traits.append("inactive")
        traits.append("record locked while pending" if p.get("lock", True) else "record not locked")
        traits.append("recall allowed" if p.get("allow_recall", True) else "no recall")
        kept = ", ".join("%s in `%s`" % (k.replace("_", " "), v) for k, v in p.get("fields", {}).items())
        lines += ["", "Approval process `%s` (%s), entry criteria `%s`%s:" % (
            p["name"], "; ".join(traits), cell(p.get("entry_criteria", "TRUE") or "TRUE"),
            "; the engine keeps %s" % kept if kept else ""), "",
            "| step | criteria | approvers | decision | on reject | escalation |", "| --- | --- | --- | --- | --- | --- |"]
        for n, st in enumerate(p["steps"], 1):
            escalation = "-"
            if st.get("escalate_after"):
                escalation = "after %s" % st["escalate_after"]
                if st.get("escalate_to"):
                    escalation += ": adds %s" % approvers_text(st["escalate_to"])
                if st.get("on_escalation"):
                    escalation += "; %s" % actions_text(st["on_escalation"])
            lines.append("| %d. `%s` | %s | %s | %s | %s | %s |" % (
                n, st["name"], "`%s`" % cell(st["criteria"]) if st.get("criteria") else "always",
                cell(approvers_text(st["approvers"])), st.get("decision", "first_response").replace("_", " "),
                "back to the previous step" if st.get("on_reject") == "back" else "final", cell(escalation)))
        outcomes = ["%s: %s" % (label, actions_text(p[key])) for key, label in
                    (("on_submit", "on submit"), ("on_approve", "on approval"), ("on_reject", "on rejection"),
                     ("on_recall", "on recall")) if p.get(key)]
        if outcomes:
            lines += ["", cell("; ".join(outcomes)[0].upper() + "; ".join(outcomes)[1:]) + "."]
    return lines


def render_assignment(obj):
    """Assignment rules (docs/service.md): when they run, rule records, entries."""
    a = obj.get("assignment")
    if not a:
        return []
    target = "`%s`" % a.get("field", "owner_id")
    if a.get("queue_field"):
        target += " (and the queue in `%s`)" % a["queue_field"]
    when = " when `%s`" % cell(a["condition"]) if a.get("condition") else ""
    sources = []
    if a.get("rule_records"):
        sources.append("the `assignment_rule` records with object_name `%s` (active, by sort_order)" % obj["name"])
    if a.get("entries"):
        sources.append("the entries below")
    text = "Assignment: a new record without an owner%s gets %s from %s, first match wins" % (
        when, target, " then ".join(sources))
    if a.get("open_condition"):
        text += "; load-balanced queues count a member's records where `%s`" % cell(a["open_condition"])
    lines = ["", text + "."]
    if a.get("entries"):
        lines += ["", "| entry | criteria | assigns to |", "| --- | --- | --- |"]
        for n, e in enumerate(a["entries"], 1):
            lines.append("| %d | %s | %s |" % (n, "`%s`" % cell(e["criteria"]) if e.get("criteria") else "always",
                                             "user `%s`" % e["user"] if e.get("user") else "queue `%s`" % e["queue"]))
    return lines


def render_sla(obj):
    """SLA milestones (docs/service.md): targets, deadlines, warnings, escalations, violation."""
    sla = obj.get("sla")
    if not sla:
        return []
    hours = "`%s`" % cell(sla["business_hours"]) if sla.get("business_hours") else \
        "the default business_hours record (else around the clock)"
    paused = ", paused while `%s`" % cell(sla["pause_when"]) if sla.get("pause_when") else ""
    lines = ["", "SLA `%s`, in business minutes of %s%s:" % (sla["name"], hours, paused), "",
             "| milestone | target (business minutes) | met when | deadline in | warning | escalations | on violation |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for m in sla["milestones"]:
        start = " (starts when `%s`)" % cell(m["start_when"]) if m.get("start_when") else ""
        warning = "-"
        if m.get("warning_percent"):
            warning = "at %d %%: %s" % (m["warning_percent"], actions_text(m.get("on_warning", [])))
        levels = "; ".join("at %d %%: %s" % (e.get("percent", 100), actions_text(e["actions"]))
                           for e in m.get("escalations", [])) or "-"
        violation = actions_text(m.get("on_violation", []))
        if m.get("on_completion"):
            violation += "; on completion: %s" % actions_text(m["on_completion"])
        lines.append("| `%s`%s | `%s` | `%s` | %s | %s | %s | %s |" % (
            m["name"], start, cell(m["target_minutes"]), cell(m["complete_when"]),
            "`%s`" % m["due_field"] if m.get("due_field") else "-", cell(warning), cell(levels), cell(violation)))
    return lines


def render_processes(obj):
    """Service processes: approval processes, assignment rules and the SLA of an object."""
    return render_approvals(obj) + render_assignment(obj) + render_sla(obj)


def render():
    objects, extensions = load()
    by_package = {p: [] for p in PACKAGE_ORDER}
    for obj in objects.values():
        by_package[obj["package"]].append(obj)
    for package in by_package:
        by_package[package].sort(key=lambda o: (OBJECT_ORDER.index(o["name"]) if o["name"] in OBJECT_ORDER
                                                else len(OBJECT_ORDER), o["name"]))
    lines = ["### Packages", "",
             "Rules and formula fields are counted in the package that declares them (extensions included).", "",
             "| package | objects | extends | lookups point into | rules | formula fields |",
             "| --- | --- | --- | --- | --- | --- |"]
    for package in PACKAGE_ORDER:
        targets = set()
        rules = formulas = 0
        for obj in objects.values():
            rules += sum(1 for r in obj.get("validation_rules", []) if r.get("package", obj["package"]) == package)
            for f in obj["fields"]:
                if f.get("package", obj["package"]) != package:
                    continue
                formulas += f["type"] == "formula"
                if "reference" in f and objects[f["reference"]]["package"] != package:
                    targets.add(objects[f["reference"]]["package"])
        names = ", ".join("`%s`" % o["name"] for o in by_package[package])
        extended = ", ".join("`%s`" % e["extends"] for e in extensions if e["package"] == package) or "-"
        lines.append("| %s | %d: %s | %s | %s | %d | %d |" % (
            package, len(by_package[package]), names, extended,
            ", ".join(p for p in PACKAGE_ORDER if p in targets) or "-", rules, formulas))
    lines.append("")
    total_fields = sum(len(o["fields"]) for o in objects.values())
    lines += ["%d objects, %d fields." % (len(objects), total_fields), ""]
    for package in PACKAGE_ORDER:
        lines += ["### Package `%s`" % package, ""]
        for obj in by_package[package]:
            lines += render_object(obj)
    return "\n".join(lines)


def main():
    check = "--check" in sys.argv[1:]
    text = TARGET.read_text(encoding="utf-8")
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        sys.exit("%s: markers not found" % TARGET)
    new = text[:start + len(BEGIN)] + "\n" + render() + text[stop:]
    if check:
        if new != text:
            old_lines, new_lines = text.splitlines(), new.splitlines()
            first = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b),
                         min(len(old_lines), len(new_lines)))
            print("%s is out of date with catalog/ (first difference at line %d); run /usr/bin/python3 %s"
                  % (TARGET, first + 1, pathlib.Path(__file__).name))
            sys.exit(1)
        print("%s is up to date" % TARGET)
        return
    if new != text:
        TARGET.write_text(new, encoding="utf-8")
    print("%s %s" % (TARGET, "updated" if new != text else "unchanged"))


if __name__ == "__main__":
    main()
