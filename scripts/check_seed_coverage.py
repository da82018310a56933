#!/usr/bin/python3
"""Checks that catalog/ covers every object, field and option of the HotCRM seed.

Usage: /usr/bin/python3 scripts/check_seed_coverage.py [SEED_JSON]
       (default SEED_JSON: ../shared/seed/hotcrm-objects.json beside the repository)
Exit 1 listing every seed object, field or option value missing from catalog/, apart from the
documented deviations (docs/catalog.md): owner_id (a system field), note.parent_type (now
parent_object) and its "Order" option (no such object), renamed objects and fields.
Run by ctest as model.catalog_covers_seed.
"""
import importlib.util
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("importer", ROOT / "scripts" / "import_seed_catalog.py")
importer = importlib.util.module_from_spec(spec)
sys.argv = sys.argv[:2]
spec.loader.exec_module(importer)

# Seed fields that are intentionally not catalog fields of the same meaning (docs/catalog.md).
DROPPED = {("note", "parent_type")}
DROPPED_OPTIONS = {("note", "parent_object", "order")}
# Option values renamed in the catalog (docs/catalog.md): assignment rules name objects by their names.
RENAMED_OPTIONS = {("assignment_rule", "object_name", "case"): "support_case"}


def main():
    seed = json.loads(importer.SEED.read_text(encoding="utf-8"))
    catalog = {}
    extensions = []
    for path in (ROOT / "catalog").rglob("*.json"):
        obj = json.loads(path.read_text(encoding="utf-8"))
        if "extends" in obj:
            extensions.append(obj)  # a package's fields on another package's object
        else:
            catalog[obj["name"]] = obj
    for ext in extensions:
        catalog[ext["extends"]]["fields"] = catalog[ext["extends"]]["fields"] + ext.get("fields", [])
    problems = []
    seen = 0
    for package in importer.PACKAGES:
        for seed_name, seed_obj in seed[package].items():
            seen += 1
            name = importer.OBJECT_RENAMES.get(seed_name, seed_name)
            obj = catalog.get(name)
            if obj is None:
                problems.append("object %s.%s is missing" % (package, seed_name))
                continue
            fields = {f["name"]: f for f in obj["fields"]}
            for seed_field, sf in seed_obj["fields"].items():
                if seed_field == "owner_id" or (name, seed_field) in DROPPED:
                    continue
                field_name = importer.FIELD_RENAMES.get((seed_name, seed_field), seed_field)
                field = fields.get(field_name)
                if field is None:
                    problems.append("field %s.%s (seed %s) is missing" % (name, field_name, seed_field))
                    continue
                for raw in sf.get("options", []):
                    if raw == "":
                        continue  # assignment_rule operators: values from their labels
                    value = importer.identifier(raw)
                    if name in ("account", "lead") and value == "real_estate":
                        value = "realestate"
                    value = RENAMED_OPTIONS.get((name, field_name, value), value)
                    values = [o["value"] for o in field.get("options", [])]
                    if value not in values and (name, field_name, value) not in DROPPED_OPTIONS:
                        problems.append("option %s.%s '%s' (seed '%s') is missing" % (name, field_name, value, raw))
    if seen != 65:
        problems.append("the seed has %d objects in the six packages, expected 65" % seen)
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print("catalog/ covers the seed's %d objects" % seen)


if __name__ == "__main__":
    main()
