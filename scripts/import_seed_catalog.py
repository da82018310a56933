#!/usr/bin/python3
"""Imports the HotCRM seed objects into catalog/<package>/<object>.json.

Usage: /usr/bin/python3 scripts/import_seed_catalog.py [SEED_JSON]
       (default SEED_JSON: ../shared/seed/hotcrm-objects.json beside the repository)

The JSON under catalog/ is the source of truth; this script records how it was first derived
from the seed so that every normalisation is reproducible and reviewable (docs/catalog.md lists
the decisions). It writes the seed objects except the hand-maintained account, contact, lead and
opportunity (catalog/crm/) and the platform objects (catalog/platform/), which are not in the
seed or were curated earlier. Business rules and formula fields are part of the tables below.
Running it again overwrites the generated files only.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "seed" / "hotcrm-objects.json"
PACKAGES = ["crm", "marketing", "products", "finance", "support", "hr"]
HAND_MAINTAINED = {"account", "contact", "lead", "opportunity"}

# Objects whose package differs from the seed's plugin, to keep the package graph acyclic
# (docs/catalog.md, "Packages").
PACKAGE_MOVES = {
    "form": "marketing", "landing_page": "marketing", "marketing_list": "marketing",
    "unsubscribe": "marketing", "contract": "crm", "assignment_rule": "support",
}
# Object renames: `case` is a reserved SQL word.
OBJECT_RENAMES = {"case": "support_case"}

# Field renames (object, seed name) -> catalog name.
FIELD_RENAMES = {
    ("assignment_rule", "assign_to"): "assign_to_user_id",
    ("assignment_rule", "assign_to_queue"): "assign_to_queue_id",
    ("unsubscribe", "processed_by"): "processed_by_id",
    ("campaign", "parent_campaign"): "parent_campaign_id",
    ("campaign_member", "campaign"): "campaign_id",
    ("campaign_member", "lead"): "lead_id",
    ("campaign_member", "contact"): "contact_id",
    ("product_bundle", "ai_suggested_upgrade"): "ai_suggested_upgrade_id",
    ("product_bundle_component", "bundle"): "bundle_id",
    ("product_bundle_component", "product"): "product_id",
    ("quote_line_item", "ai_recommended_upsell"): "ai_recommended_upsell_id",
    ("contract", "account"): "account_id",
    ("contract", "opportunity"): "opportunity_id",
    ("invoice", "account"): "account_id",
    ("invoice", "contract"): "contract_id",
    ("invoice_line", "invoice"): "invoice_id",
    ("invoice_line", "product"): "product_id",
    ("payment", "account"): "account_id",
    ("payment", "opportunity"): "opportunity_id",
    ("payment", "contract"): "contract_id",
    ("payment", "quote"): "quote_id",
    ("quote", "p_d_f_generated_date"): "pdf_generated_date",
    ("quote", "p_d_f_url"): "pdf_url",
    ("quote", "p_d_f_document_id"): "pdf_document_id",
    ("email_template", "is_a_b_test"): "is_ab_test",
    ("email_template", "a_b_test_variant_id"): "ab_test_variant_id",
    ("email_template", "a_b_test_winner_metric"): "ab_test_winner_metric",
    ("landing_page", "is_a_b_test"): "is_ab_test",
    ("landing_page", "a_b_test_variant_id"): "ab_test_variant_id",
    ("discount_schedule", "ai_expected_r_o_i"): "ai_expected_roi",
    ("sla_policy", "version"): "policy_version",          # `version` is a system field
    ("social_media_case", "account_id"): "platform_account_id",  # the social account's id, not a lookup
    ("note", "parent_type"): "parent_object",
}

REFERENCE_NAMES = {"users": "user", "case": "support_case", "SLATemplate": "sla_template",
                   "SLAPolicy": "sla_policy"}

# Lookups that delete with their parent (seed cascades plus parts/memberships of a parent).
CASCADE = {
    ("product_bundle_component", "bundle_id"), ("invoice_line", "invoice_id"),
    ("campaign_member", "campaign_id"), ("campaign_member", "lead_id"), ("campaign_member", "contact_id"),
    ("quote_line_item", "quote_id"), ("case_comment", "case_id"), ("sla_milestone", "case_id"),
    ("holiday", "calendar_id"), ("queue_member", "queue_id"), ("forum_post", "topic_id"),
    ("agent_skill", "skill_id"),
}

# Option value -> stable identifier, where the generic rule reads badly.
VALUE_OVERRIDES = {"PhD": "phd", "WeChat": "wechat", "WhatsApp": "whatsapp", "LinkedIn": "linkedin",
                   "YouTube": "youtube", "TikTok": "tiktok", "Microsoft365": "microsoft365"}
LABEL_OVERRIDES = {"email Link": "Email Link", "Wrong email": "Wrong Email"}

ACRONYMS = {"id": "ID", "sla": "SLA", "ai": "AI", "url": "URL", "csat": "CSAT", "ip": "IP", "utm": "UTM",
            "pdf": "PDF", "sms": "SMS", "api": "API", "roi": "ROI", "og": "OG", "css": "CSS", "html": "HTML",
            "json": "JSON", "kb": "KB", "ssl": "SSL", "gdpr": "GDPR", "ab": "A/B", "vip": "VIP", "it": "IT",
            "hr": "HR", "cc": "CC", "faq": "FAQ", "qa": "QA", "pop3": "POP3", "imap": "IMAP", "b": "B",
            "last6": "Last 6", "level1": "Level 1", "level2": "Level 2", "level3": "Level 3",
            "linkedin": "LinkedIn", "javascript": "JavaScript", "wechat": "WeChat"}
SMALL_WORDS = {"of", "to", "in", "on", "for", "and", "or", "the", "a", "with"}

# Options for the seed's 16 multi-select fields that have none, taken from the field they describe.
CASE_TYPES = ["Problem", "Question", "Incident", "Feature Request", "Training", "Maintenance", "Other"]
CASE_PRIORITIES = ["Critical", "High", "Medium", "Low"]
CASE_ORIGINS = ["Email", "Web", "Phone", "WeChat", "Chat Bot", "Mobile App", "Walk-in", "Other"]
CASE_CATEGORIES = ["Technical", "Product", "Billing", "Feature", "Complaint", "Other"]
SLA_TIERS = ["Platinum", "Gold", "Silver", "Bronze", "Standard"]
EMPTY_MULTISELECT_OPTIONS = {
    "applicable_case_types": CASE_TYPES, "match_case_types": CASE_TYPES, "related_case_types": CASE_TYPES,
    "applicable_priorities": CASE_PRIORITIES, "match_priorities": CASE_PRIORITIES,
    "match_origins": CASE_ORIGINS, "match_categories": CASE_CATEGORIES, "related_categories": CASE_CATEGORIES,
    "match_regions": ["North America", "Europe", "APAC", "LATAM"],
    "account_tier": SLA_TIERS,
    "visible_to_customer_tiers": ["Free", "Basic", "Professional", "Enterprise", "Premium"],
    "tags": ["Getting Started", "Advanced", "Video", "Step by Step"],
}
# assignment_rule.criteria_operator: four empty values in the seed, labels "=", "!=", ">", "<".
OPERATOR_VALUES = {"=": "equals", "!=": "not_equals", ">": "greater_than", "<": "less_than",
                   "contains": "contains"}

# Text defaults that are not English, or not what the seed meant.
DEFAULT_OVERRIDES = {("form", "submit_button_text"): "Submit"}

# Autonumber formats the seed does not give; offer numbers were generated by a hook.
AUTONUMBER = {("payment", "payment_number"): "PAY-{YYYY}-{000000}",
              ("offer", "offer_number"): "OFF-{YYYY}{MM}-{0000}"}

OBJECT_TEXT = {
    "activity": ("Activity", "Activities", "A logged or planned interaction (call, e-mail, meeting, ...) with a person, about a record."),
    "assignment_rule": ("Assignment Rule", "Assignment Rules", "A rule that assigns new leads or cases to a user or a queue when a field matches a value; rules are tried in sort order."),
    "email_template": ("Email Template", "Email Templates", "A reusable e-mail (subject, HTML and plain-text body) for marketing, transactional and support messages."),
    "form": ("Form", "Forms", "A web form that captures leads or registrations, usually for a campaign."),
    "landing_page": ("Landing Page", "Landing Pages", "A campaign web page, optionally with an embedded form, with traffic and conversion statistics."),
    "marketing_list": ("Marketing List", "Marketing Lists", "A static or dynamic list of leads, contacts or accounts targeted by campaigns."),
    "note": ("Note", "Notes", "A free-text note attached to any record (see parent_object / parent_id)."),
    "task": ("Task", "Tasks", "A to-do with a due date, optionally about a record and a person."),
    "unsubscribe": ("Unsubscribe", "Unsubscribes", "An opt-out or bounce record for an e-mail address."),
    "campaign": ("Campaign", "Campaigns", "A marketing campaign with budget, costs and revenue."),
    "campaign_member": ("Campaign Member", "Campaign Members", "A lead or contact targeted by a campaign, with its response status."),
    "approval_request": ("Approval Request", "Approval Requests", "A request to approve a discount, price override or special terms."),
    "discount_schedule": ("Discount Schedule", "Discount Schedules", "A time-bound discount programme (seasonal, promotional, volume, ...)."),
    "price_rule": ("Price Rule", "Price Rules", "A pricing rule applied to quote lines (tiered, volume, customer-specific, promotional, ...); lower priority numbers apply first."),
    "pricebook": ("Price Book", "Price Books", "A named list of product prices in one currency, valid between two dates."),
    "product": ("Product", "Products", "A product or service that can be priced, quoted and invoiced."),
    "product_bundle": ("Product Bundle", "Product Bundles", "A package of products sold together."),
    "product_bundle_component": ("Product Bundle Component", "Product Bundle Components", "One product of a bundle, with its quantity."),
    "quote": ("Quote", "Quotes", "A priced offer for an opportunity, with line items, discount, tax and approval status."),
    "quote_line_item": ("Quote Line Item", "Quote Line Items", "One product line of a quote."),
    "contract": ("Contract", "Contracts", "An agreement with an account; activating it starts billing."),
    "invoice": ("Invoice", "Invoices", "A bill sent to an account."),
    "invoice_line": ("Invoice Line", "Invoice Lines", "One line of an invoice."),
    "payment": ("Payment", "Payments", "A planned or received payment for a contract."),
    "agent_skill": ("Agent Skill", "Agent Skills", "A skill of a support agent (user), with proficiency, for skill-based routing."),
    "business_hours": ("Business Hours", "Business Hours", "Working hours per weekday in a time zone, used by SLA timers."),
    "support_case": ("Case", "Cases", "A customer support case (ticket), with SLA targets and resolution."),
    "case_comment": ("Case Comment", "Case Comments", "A comment, e-mail or message on a case."),
    "email_to_case": ("Email-to-Case Configuration", "Email-to-Case Configurations", "A mailbox that turns incoming e-mails into cases."),
    "escalation_rule": ("Escalation Rule", "Escalation Rules", "A rule that escalates cases when a trigger fires (SLA violation, no activity, ...)."),
    "forum_post": ("Forum Post", "Forum Posts", "A post or reply in a community forum topic."),
    "forum_topic": ("Forum Topic", "Forum Topics", "A discussion topic in the customer community forum."),
    "holiday": ("Holiday", "Holidays", "A day when business hours do not apply."),
    "holiday_calendar": ("Holiday Calendar", "Holiday Calendars", "A country's or region's holidays for one year."),
    "knowledge_article": ("Knowledge Article", "Knowledge Articles", "A knowledge-base article for agents and customers."),
    "portal_user": ("Portal User", "Portal Users", "A customer's sign-in to the self-service portal, tied to a contact."),
    "queue": ("Support Queue", "Support Queues", "A queue of cases worked by a team of agents."),
    "queue_member": ("Queue Member", "Queue Members", "A user's membership of a support queue, with capacity and status."),
    "routing_rule": ("Routing Rule", "Routing Rules", "A rule that routes matching cases to a queue; lower priority numbers are tried first."),
    "skill": ("Skill", "Skills", "A skill used for skill-based case routing."),
    "sla_milestone": ("SLA Milestone", "SLA Milestones", "One SLA target of a case (first response, resolution, ...) and its progress."),
    "sla_policy": ("SLA Policy", "SLA Policies", "Response and resolution targets per tier, coverage and escalation levels."),
    "sla_template": ("SLA Template", "SLA Templates", "A reusable set of SLA targets for a service level."),
    "social_media_case": ("Social Media Channel", "Social Media Channels", "A monitored social media account that turns posts and messages into cases."),
    "web_to_case": ("Web-to-Case Form", "Web-to-Case Forms", "A web form that creates cases."),
    "application": ("Job Application", "Job Applications", "A candidate's application to a recruitment."),
    "attendance": ("Attendance", "Attendance Records", "An employee's attendance on one day."),
    "candidate": ("Candidate", "Candidates", "A person applying for a position."),
    "certification": ("Certification", "Certifications", "A professional certification held by an employee."),
    "department": ("Department", "Departments", "An organisational unit, possibly inside another."),
    "employee": ("Employee", "Employees", "A person employed by the company."),
    "goal": ("Goal", "Goals", "An employee's performance or development goal."),
    "interview": ("Interview", "Interviews", "An interview of a candidate for an application."),
    "offer": ("Offer", "Offers", "A job offer to a candidate."),
    "onboarding": ("Onboarding", "Onboardings", "The onboarding programme of a new employee."),
    "payroll": ("Payroll", "Payroll Records", "An employee's pay for one pay period."),
    "performance_review": ("Performance Review", "Performance Reviews", "A review of an employee's performance over a period."),
    "position": ("Position", "Positions", "A job position in a department."),
    "recruitment": ("Recruitment", "Recruitments", "A requisition to hire for a position."),
    "time_off": ("Time Off", "Time Off Requests", "A leave request."),
    "training": ("Training", "Trainings", "A training an employee attends."),
}

CAPABILITY_NAMES = {"searchable": "searchable", "trackHistory": "track_history", "activities": "activities",
                    "feeds": "feeds", "files": "files", "enableDuplicateDetection": "duplicate_detection",
                    "apiEnabled": "api_enabled", "approvalProcess": "approval_process", "emailToCase": "email_to_case"}


def identifier(value):
    """Option value -> stable lowercase identifier (camelCase split into words)."""
    if value in VALUE_OVERRIDES:
        return VALUE_OVERRIDES[value]
    v = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", value)
    v = re.sub(r"([a-z])([A-Z])", r"\1_\2", v)
    v = re.sub(r"[^a-z0-9]+", "_", v.lower()).strip("_")
    return v


def option_label(value):
    if value in LABEL_OVERRIDES:
        return LABEL_OVERRIDES[value]
    if re.fullmatch(r"[a-z0-9_]+", value):  # already an identifier: title-case its words
        return " ".join(ACRONYMS.get(w, w.capitalize()) for w in value.split("_"))
    if re.fullmatch(r"[A-Za-z0-9]+", value) and re.search(r"[a-z][A-Z]", value) and value not in VALUE_OVERRIDES:
        words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", value)
        return re.sub(r"([a-z])([A-Z])", r"\1 \2", words)
    if value in ("usd", "cny", "eur", "gbp", "jpy", "hkd"):
        return value.upper()
    return value


def field_label(name, ftype):
    words = name.split("_")
    if ftype == "lookup" and words[-1] == "id" and len(words) > 1:
        words = words[:-1]
    if ftype == "boolean" and words[0] == "is" and len(words) > 1:
        words = words[1:]
    out = []
    for i, w in enumerate(words):
        if w in ACRONYMS:
            out.append(ACRONYMS[w])
        elif i > 0 and w in SMALL_WORDS:
            out.append(w)
        else:
            out.append(w.capitalize())
    return " ".join(out)


def reference_name(ref):
    if ref in REFERENCE_NAMES:
        return REFERENCE_NAMES[ref]
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ref).lower()


def convert_options(obj, name, seed_field, values):
    options, seen = [], set()
    labels = seed_field.get("optionLabels")
    meta = seed_field.get("optionMeta", {})
    for i, raw in enumerate(values):
        if labels and raw == "":
            value, label = OPERATOR_VALUES[labels[i]], labels[i]
        elif labels:
            value, label = OPERATOR_VALUES.get(raw, identifier(raw)), raw.capitalize()
        else:
            value, label = identifier(raw), option_label(raw)
        if value in seen:
            raise SystemExit(f"{obj}.{name}: option value collision '{value}'")
        seen.add(value)
        option = {"value": value, "label": label}
        if raw in meta:
            m = meta[raw]
            option.update({"probability": m.get("probability"), "is_won": bool(m.get("isWon")),
                           "is_lost": bool(m.get("isLost"))})
        options.append(option)
    return options


def convert_default(obj, name, field, seed_default):
    if (obj, name) in DEFAULT_OVERRIDES:
        return DEFAULT_OVERRIDES[(obj, name)]
    if isinstance(seed_default, str):
        token = {"$today": "$today", "TODAY()": "$today", "NOW()": "$now", "$currentUser": "$current_user"}
        if seed_default in token:
            return token[seed_default]
        if field["type"] in ("select", "multiselect"):
            value = identifier(seed_default)
            if not any(o["value"] == value for o in field["options"]):
                raise SystemExit(f"{obj}.{name}: default {seed_default!r} is not an option")
            return value
    return seed_default


def convert_field(obj, seed_name, sf):
    name = FIELD_RENAMES.get((obj, seed_name), seed_name)
    ftype = sf["type"]
    if ftype == "select" and sf.get("multiple"):
        ftype = "multiselect"
    if ftype == "checkbox":
        ftype = "boolean"
    if (obj, name) in AUTONUMBER:
        ftype = "autonumber"
    field = {"name": name, "type": ftype, "label": field_label(name, ftype)}
    if ftype == "formula":
        return field  # formulas are defined in FORMULAS
    if sf.get("required"):
        field["required"] = True
    if sf.get("unique"):
        field["unique"] = True
    if sf.get("readonly") and ftype != "autonumber":
        field["read_only"] = True
    if "maxLength" in sf and ftype in ("text", "textarea", "email", "phone", "url"):
        field["max_length"] = sf["maxLength"]
    if ftype in ("number", "currency", "percent"):
        if "min" in sf:
            field["min"] = sf["min"]
        if "max" in sf:
            field["max"] = sf["max"]
        scale = sf.get("scale", sf.get("precision"))
        field["scale"] = scale if scale is not None else (0 if ftype == "number" else 2)
    if ftype in ("select", "multiselect"):
        values = sf.get("options") or EMPTY_MULTISELECT_OPTIONS.get(name)
        if not values:
            raise SystemExit(f"{obj}.{name}: no options")
        field["options"] = convert_options(obj, name, sf, values)
    if ftype == "autonumber":
        field["format"] = sf.get("format") or AUTONUMBER[(obj, name)]
    if ftype == "lookup":
        field["reference"] = reference_name(sf["reference"])
        if (obj, name) in CASCADE:
            field["on_delete"] = "cascade"
        elif sf.get("required"):
            field["on_delete"] = "restrict"
        else:
            field["on_delete"] = "set_null"
    if sf.get("searchable"):
        field["searchable"] = True
    if "defaultValue" in sf and ftype not in ("autonumber",):
        field["default"] = convert_default(obj, name, field, sf["defaultValue"])
    if "format" in sf and ftype != "autonumber":
        raise SystemExit(f"{obj}.{name}: format on {ftype}")
    return field


# Polymorphic references: a select of the allowed object names plus the record id (docs/catalog.md).
WHO_OBJECTS = [("contact", "Contact"), ("lead", "Lead")]
WHAT_OBJECTS = [("account", "Account"), ("opportunity", "Opportunity"), ("contract", "Contract"),
                ("support_case", "Case")]
NOTE_PARENTS = [("account", "Account"), ("contact", "Contact"), ("opportunity", "Opportunity"),
                ("lead", "Lead"), ("support_case", "Case"), ("contract", "Contract"), ("quote", "Quote"),
                ("task", "Task"), ("activity", "Activity"), ("campaign", "Campaign"), ("product", "Product")]


def polymorphic_pair(prefix, label, objects, required, description):
    kind = {"name": prefix + "_object", "type": "select", "label": label + " Type",
            "description": "The object " + prefix + "_id points to. Set together with " + prefix + "_id.",
            "options": [{"value": v, "label": l} for v, l in objects]}
    ref = {"name": prefix + "_id", "type": "text", "label": label,
           "description": description + " The id of a record of the object named by " + prefix + "_object.",
           "max_length": 64}
    if required:
        kind["required"] = ref["required"] = True
    return [kind, ref]


def pair_rule(prefix):
    return {"name": prefix + "_reference_complete",
            "condition": "ISBLANK(%s_object) <> ISBLANK(%s_id)" % (prefix, prefix),
            "message": "Give both %s_object and %s_id, or neither" % (prefix, prefix),
            "error_field": prefix + "_id"}


POLYMORPHIC = {
    "activity": {"who_id": polymorphic_pair("who", "Who", WHO_OBJECTS, False, "The person the activity is with (a contact or a lead)."),
                 "what_id": polymorphic_pair("what", "Related To", WHAT_OBJECTS, False, "The record the activity is about.")},
    "task": {"who_id": polymorphic_pair("who", "Who", WHO_OBJECTS, False, "The person the task concerns (a contact or a lead)."),
             "what_id": polymorphic_pair("what", "Related To", WHAT_OBJECTS, False, "The record the task is about.")},
    "note": {"parent_id": polymorphic_pair("parent", "Parent", NOTE_PARENTS, True, "The record the note is attached to."),
             "parent_type": []},
}
POLYMORPHIC_RULES = {"activity": ["who", "what"], "task": ["who", "what"]}


def f_formula(name, label, expression, return_type, description):
    return {"name": name, "type": "formula", "label": label, "description": description,
            "expression": expression, "return_type": return_type}


# A formula cannot read another formula field as a number, so the line total and the quote's discount
# are spelled out wherever they are needed.
LINE_DISCOUNT = ("CASE(discount_type, 'percentage', quantity * unit_price * BLANKVALUE(discount_percent, 0) / 100, "
                 "'amount_per_unit', quantity * BLANKVALUE(discount_amount, 0), 'total_amount', BLANKVALUE(discount_amount, 0), 0)")
LINE_TOTAL = "quantity * unit_price - " + LINE_DISCOUNT
QUOTE_DISCOUNT = "subtotal * BLANKVALUE(discount_percent, 0) / 100"
APPROVAL_LEVEL = ("IF(discount_percent > 40, 5, IF(discount_percent > 30, 4, IF(discount_percent > 20, 3, "
                  "IF(discount_percent > 10, 2, IF(discount_percent > 5, 1, 0)))))")

# Formula fields replacing seed fields that are derived from the record itself.
FORMULAS = {
    ("employee", "full_name"): f_formula("full_name", "Full Name", "TRIM(first_name & ' ' & last_name)", "text",
                                         "First and last name (the seed's CONCATENATE(last_name, first_name) without a space is Chinese name order)."),
    ("portal_user", "full_name"): f_formula("full_name", "Full Name", "TRIM(first_name & ' ' & last_name)", "text",
                                            "First and last name."),
    ("quote_line_item", "subtotal"): f_formula("subtotal", "Subtotal", "quantity * unit_price", "currency",
                                               "Quantity x unit price, before discounts."),
    ("quote_line_item", "total_price"): f_formula(
        "total_price", "Total Price",
        LINE_TOTAL, "currency", "The line total: quantity x unit price less the discount (by discount_type)."),
    ("quote_line_item", "tax_amount"): f_formula(
        "tax_amount", "Tax Amount",
        "IF(is_taxable, (" + LINE_TOTAL + ") * BLANKVALUE(tax_percent, 0) / 100, 0)",
        "currency", "Tax on the line total when the line is taxable."),
    ("quote_line_item", "margin"): f_formula(
        "margin", "Margin",
        LINE_TOTAL + " - quantity * product_id.cost_price",
        "currency", "Line total less the product's cost price x quantity (blank when the product has no cost price)."),
    ("quote", "discount_amount"): f_formula("discount_amount", "Discount Amount",
                                            QUOTE_DISCOUNT, "currency",
                                            "subtotal x discount_percent / 100."),
    ("quote", "tax_amount"): f_formula(
        "tax_amount", "Tax Amount",
        "(subtotal - " + QUOTE_DISCOUNT + ") * BLANKVALUE(tax_percent, 0) / 100", "currency",
        "(subtotal - discount) x tax_percent / 100."),
    ("quote", "total_price"): f_formula(
        "total_price", "Total Price",
        "subtotal - " + QUOTE_DISCOUNT + " + (subtotal - " + QUOTE_DISCOUNT + ") * BLANKVALUE(tax_percent, 0) / 100 + BLANKVALUE(shipping_handling, 0)",
        "currency", "subtotal - discount + tax + shipping. Blank until subtotal is filled (a roll-up of the line items, later)."),
    ("quote", "validity_period_days"): f_formula("validity_period_days", "Validity Period (Days)",
                                                 "expiration_date - quote_date", "number",
                                                 "Days from the quote date to its expiration."),
    ("quote", "approval_level"): f_formula(
        "approval_level", "Approval Level",
        APPROVAL_LEVEL,
        "number", "Approval level the discount needs: above 5 % level 1 (team lead), 10 % level 2 (manager), 20 % level 3 (director), 30 % level 4, 40 % level 5 (VP / C-level); 0 = none."),
    ("approval_request", "required_approval_level"): f_formula(
        "required_approval_level", "Required Approval Level",
        APPROVAL_LEVEL,
        "number", "Approval level the requested discount needs (the quote's thresholds: 5/10/20/30/40 %)."),
    ("approval_request", "revenue_impact"): f_formula("revenue_impact", "Revenue Impact", "proposed_price - original_price", "currency",
                                                      "Proposed price less original price (negative for a discount)."),
    ("quote_line_item", "margin_percent"): f_formula(
        "margin_percent", "Margin Percent",
        "IF(" + LINE_TOTAL + " = 0, NULL, (" + LINE_TOTAL + " - quantity * product_id.cost_price) * 100 / (" + LINE_TOTAL + "))",
        "percent", "Margin as a percentage of the line total."),
    ("support_case", "response_time_minutes"): f_formula(
        "response_time_minutes", "Response Time (Minutes)", "ROUND((first_response_time - created_at) * 1440, 0)", "number",
        "Minutes from creation to the first response."),
    ("support_case", "resolution_time_minutes"): f_formula(
        "resolution_time_minutes", "Resolution Time (Minutes)", "ROUND((actual_resolution_time - created_at) * 1440, 0)", "number",
        "Minutes from creation to resolution."),
    ("invoice_line", "amount"): f_formula("amount", "Amount", "quantity * unit_price", "currency", "quantity x unit price."),
    ("payroll", "gross_pay"): f_formula(
        "gross_pay", "Gross Pay",
        "base_salary + BLANKVALUE(overtime_pay, 0) + BLANKVALUE(bonus, 0) + BLANKVALUE(commission, 0) + BLANKVALUE(allowances, 0)",
        "currency", "Base salary plus overtime pay, bonus, commission and allowances."),
    ("payroll", "total_deductions"): f_formula(
        "total_deductions", "Total Deductions",
        "BLANKVALUE(tax, 0) + BLANKVALUE(social_security, 0) + BLANKVALUE(housing_fund, 0) + BLANKVALUE(other_deductions, 0)",
        "currency", "Tax, social security, housing fund and other deductions."),
    ("payroll", "net_pay"): f_formula(
        "net_pay", "Net Pay",
        "base_salary + BLANKVALUE(overtime_pay, 0) + BLANKVALUE(bonus, 0) + BLANKVALUE(commission, 0) + BLANKVALUE(allowances, 0)"
        " - (BLANKVALUE(tax, 0) + BLANKVALUE(social_security, 0) + BLANKVALUE(housing_fund, 0) + BLANKVALUE(other_deductions, 0))",
        "currency", "Gross pay less total deductions."),
    ("attendance", "work_hours"): f_formula("work_hours", "Work Hours", "ROUND((check_out_time - check_in_time) * 24, 2)", "number",
                                            "Hours between check-in and check-out."),
    ("time_off", "total_days"): f_formula(
        "total_days", "Total Days",
        "end_date - start_date + 1 - IF(ISPICKVAL(start_time, 'afternoon'), 0.5, 0) - IF(ISPICKVAL(end_time, 'morning'), 0.5, 0)",
        "number", "Calendar days requested, counting half days (start in the afternoon, end in the morning)."),
    ("onboarding", "completion_percentage"): f_formula(
        "completion_percentage", "Completion Percentage",
        "(IF(paperwork_completed, 1, 0) + IF(it_setup_completed, 1, 0) + IF(workspace_setup_completed, 1, 0) + IF(training_completed, 1, 0) + IF(system_access_granted, 1, 0)) * 20",
        "percent", "Share of the five onboarding checklist items completed."),
    ("email_template", "average_open_rate"): f_formula("average_open_rate", "Average Open Rate",
                                                       "IF(total_sent > 0, total_opened / total_sent * 100, NULL)", "percent",
                                                       "total_opened / total_sent, in percent."),
    ("email_template", "average_click_rate"): f_formula("average_click_rate", "Average Click Rate",
                                                        "IF(total_sent > 0, total_clicked / total_sent * 100, NULL)", "percent",
                                                        "total_clicked / total_sent, in percent."),
    ("form", "conversion_rate"): f_formula("conversion_rate", "Conversion Rate",
                                           "IF(total_views > 0, total_submissions / total_views * 100, NULL)", "percent",
                                           "Submissions per view, in percent."),
    ("landing_page", "conversion_rate"): f_formula("conversion_rate", "Conversion Rate",
                                                   "IF(total_views > 0, total_submissions / total_views * 100, NULL)", "percent",
                                                   "Submissions per view, in percent."),
    ("knowledge_article", "helpfulness_rating"): f_formula(
        "helpfulness_rating", "Helpfulness Rating",
        "IF(helpful_count + not_helpful_count > 0, ROUND(helpful_count / (helpful_count + not_helpful_count) * 100, 0), NULL)",
        "number", "Helpful votes out of all votes, 0 to 100."),
}

# Validation rules per object (condition TRUE = invalid).
def rule(name, condition, message, error_field=None):
    r = {"name": name, "condition": condition, "message": message}
    if error_field:
        r["error_field"] = error_field
    return r


def ends_after(start, end, name=None, strict=False, label=None):
    op = "<=" if strict else "<"
    what = label or end.replace("_", " ")
    return rule(name or (end + ("_after_" if strict else "_not_before_") + start),
                "%s %s %s" % (end, op, start),
                "%s must be %s %s" % (what.capitalize(), "after" if strict else "on or after", start.replace("_", " ")), end)


def percent_range(field):
    return rule(field + "_range", "OR(%s < 0, %s > 100)" % (field, field), "%s must be between 0 and 100 %%" % field.replace("_", " ").capitalize(), field)


def not_above(low, high, name):
    return rule(name, "%s > %s" % (low, high), "%s cannot exceed %s" % (low.replace("_", " ").capitalize(), high.replace("_", " ")), low)


RULES = {
    "campaign": [ends_after("start_date", "end_date", "end_not_before_start"),
                 rule("costs_not_negative", "OR(budgeted_cost < 0, actual_cost < 0)", "Costs cannot be negative")],
    "approval_request": [percent_range("discount_percent")],
    "discount_schedule": [ends_after("start_date", "end_date", "end_not_before_start"),
                          percent_range("default_discount_percent"), percent_range("minimum_discount_percent"),
                          percent_range("maximum_discount_percent"),
                          not_above("minimum_discount_percent", "maximum_discount_percent", "discount_bounds_ordered")],
    "price_rule": [ends_after("start_date", "end_date", "end_not_before_start"), percent_range("discount_percent"),
                   not_above("minimum_quantity", "maximum_quantity", "quantity_bounds_ordered")],
    "pricebook": [rule("expiry_after_effective", "end_date <= start_date",
                       "The end (expiry) date must be after the start (effective) date", "end_date")],
    "product": [rule("prices_not_negative", "OR(list_price < 0, cost_price < 0)", "Prices cannot be negative")],
    "product_bundle": [percent_range("discount_percent"), ends_after("start_date", "end_date", "end_not_before_start"),
                       not_above("min_components", "max_components", "component_bounds_ordered")],
    "quote": [percent_range("discount_percent"), percent_range("tax_percent"),
              rule("exchange_rate_positive", "exchange_rate <= 0", "The exchange rate must be greater than 0", "exchange_rate"),
              ends_after("quote_date", "expiration_date", "expiration_not_before_quote_date")],
    "quote_line_item": [percent_range("discount_percent"), percent_range("tax_percent"),
                        rule("quantity_positive", "quantity <= 0", "The quantity must be greater than 0", "quantity"),
                        rule("discount_type_needs_value",
                             "OR(AND(ISPICKVAL(discount_type, 'percentage'), ISBLANK(discount_percent)), "
                             "AND(OR(ISPICKVAL(discount_type, 'amount_per_unit'), ISPICKVAL(discount_type, 'total_amount')), ISBLANK(discount_amount)))",
                             "A discount type needs its discount percent or amount", "discount_type"),
                        ends_after("service_start_date", "service_end_date", "service_end_not_before_start")],
    "contract": [ends_after("start_date", "end_date", "end_not_before_start"),
                 rule("contract_value_not_negative", "contract_value < 0", "The contract value cannot be negative", "contract_value")],
    "invoice_line": [rule("quantity_positive", "quantity <= 0", "The quantity must be greater than 0", "quantity")],
    "payment": [rule("planned_amount_positive", "planned_amount <= 0", "The planned amount must be greater than 0", "planned_amount"),
                rule("received_needs_amount_and_date",
                     "AND(ISPICKVAL(status, 'received'), OR(ISBLANK(received_amount), ISBLANK(actual_date)))",
                     "A received payment needs its received amount and actual date", "status")],
    "sla_policy": [ends_after("effective_date", "expiration_date", "expiration_not_before_effective")],
    "support_case": [rule("closed_needs_resolution",
                          "AND(ISPICKVAL(status, 'closed'), ISBLANK(resolution))",
                          "A closed case needs a resolution", "resolution")],
    "employee": [rule("termination_not_before_hire", "termination_date < hire_date",
                      "The termination date cannot be before the hire date", "termination_date"),
                 rule("terminated_needs_date", "AND(ISPICKVAL(employment_status, 'terminated'), ISBLANK(termination_date))",
                      "A terminated employee needs a termination date", "termination_date")],
    "attendance": [rule("check_out_after_check_in", "check_out_time < check_in_time",
                        "Check-out cannot be before check-in", "check_out_time")],
    "goal": [ends_after("start_date", "target_date", "target_not_before_start"), percent_range("progress"),
             percent_range("weight")],
    "offer": [ends_after("offer_date", "expiry_date", "expiry_not_before_offer_date"),
              rule("base_salary_positive", "base_salary <= 0", "The base salary must be greater than 0", "base_salary")],
    "payroll": [ends_after("pay_period_start", "pay_period_end", "period_end_not_before_start")],
    "performance_review": [ends_after("start_date", "end_date", "end_not_before_start")],
    "position": [not_above("min_salary", "max_salary", "salary_range_ordered")],
    "recruitment": [not_above("salary_range_min", "salary_range_max", "salary_range_ordered"),
                    rule("headcount_positive", "headcount < 1", "The headcount must be at least 1", "headcount")],
    "time_off": [ends_after("start_date", "end_date", "end_not_before_start")],
    "training": [ends_after("start_date", "end_date", "end_not_before_start")],
    "task": [rule("completed_means_complete", "AND(ISPICKVAL(status, 'completed'), percent_complete < 100)",
                  "A completed task is 100 % complete", "percent_complete")],
}


def convert_object(package, seed_name, seed):
    name = OBJECT_RENAMES.get(seed_name, seed_name)
    label, plural, description = OBJECT_TEXT[name]
    obj = {"name": name, "label": label, "plural_label": plural, "description": description,
           "package": PACKAGE_MOVES.get(seed_name, package)}
    caps = {CAPABILITY_NAMES[k]: v for k, v in seed.get("enable", {}).items()}
    if caps:
        obj["capabilities"] = caps
    fields = []
    for seed_field_name, sf in seed["fields"].items():
        if seed_field_name == "owner_id":
            continue  # a system field of every record
        if name in POLYMORPHIC and seed_field_name in POLYMORPHIC[name]:
            fields.extend(POLYMORPHIC[name][seed_field_name])
            continue
        field_name = FIELD_RENAMES.get((seed_name, seed_field_name), seed_field_name)
        if (name, field_name) in FORMULAS:
            fields.append(FORMULAS[(name, field_name)])
            continue
        fields.append(convert_field(name, seed_field_name, sf))
    obj["fields"] = fields
    rules = [pair_rule(p) for p in POLYMORPHIC_RULES.get(name, [])] + RULES.get(name, [])
    if rules:
        obj["validation_rules"] = rules
    return obj


def dump(obj):
    """One field / option / rule per line, like the hand-written files."""
    lines = ["{"]
    head = [k for k in obj if k not in ("fields", "validation_rules")]
    for k in head:
        lines.append('  "%s": %s,' % (k, json.dumps(obj[k], ensure_ascii=True)))
    lines.append('  "fields": [')
    for i, f in enumerate(obj["fields"]):
        comma = "," if i + 1 < len(obj["fields"]) else ""
        if "options" in f:
            base = {k: v for k, v in f.items() if k != "options"}
            text = json.dumps(base, ensure_ascii=True)[:-1] + ', "options": ['
            opts = ",\n".join("      " + json.dumps(o, ensure_ascii=True) for o in f["options"])
            lines.append("    " + text + "\n" + opts + "\n    ]}" + comma)
        else:
            lines.append("    " + json.dumps(f, ensure_ascii=True) + comma)
    if "validation_rules" in obj:
        lines.append("  ],")
        lines.append('  "validation_rules": [')
        rules = obj["validation_rules"]
        for i, r in enumerate(rules):
            lines.append("    " + json.dumps(r, ensure_ascii=True) + ("," if i + 1 < len(rules) else ""))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    written = 0
    for package in PACKAGES:
        for seed_name, seed_obj in seed[package].items():
            if seed_name in HAND_MAINTAINED:
                continue
            obj = convert_object(package, seed_name, seed_obj)
            path = ROOT / "catalog" / obj["package"] / (obj["name"] + ".json")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump(obj), encoding="ascii")
            written += 1
    print("wrote %d objects" % written)


if __name__ == "__main__":
    main()
