"""Every metadata problem code, declared once: code -> what it means.

docs/errors.md has a row per code (a test keeps the two in step) and
tests/invalid_metadata/ holds a bad pack for each.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # reading the pack folder
    "file.unreadable": "a file or folder cannot be read",
    "file.encoding": "a file is not UTF-8 text",
    "json.syntax": "a file is not valid JSON",
    "json.value": "a value JSON or hulian cannot hold: NaN, Infinity, a non-text key, "
    "NUL or a lone surrogate in text, nesting too deep",
    "pack.missing_manifest": "the folder has no pack.json",
    "pack.unexpected_file": "a file or folder the pack format does not have (extension files "
    "outside a tenant pack included)",
    "object.file_name_mismatch": "an object or extension file is not named after its object",
    # JSON Schema
    "schema.required": "a required key is missing",
    "schema.unknown_key": "a key the format does not have",
    "schema.type": "a value has the wrong JSON type",
    "schema.enum": "a value is not one of the allowed values",
    "schema.range": "a number, text or list is too small or too large",
    "schema.pattern": "a text value does not have the required form",
    # names
    "name.pattern": "an api_name does not follow the naming rule",
    "name.too_long": "an api_name is too long",
    "name.quote_char": "an api_name contains a quote, bracket, semicolon or whitespace",
    "name.sql_keyword": "a field api_name is a reserved word of PostgreSQL or SQLite",
    "name.reserved": "an api_name is taken by a system column or system object",
    "name.custom_suffix": "the '__c' suffix is used where it must not be, or missing where "
    "it must be",
    "name.duplicate": "two objects, roles or apps of a pack, or two fields, rules or actions "
    "of one object, have the same api_name",
    # references
    "lookup.unknown_target": "a lookup's or master-detail field's target is not an object of "
    "the pack",
    "name_field.unknown": "the object's name_field is not one of its fields",
    "name_field.type": "the name field is neither a text field nor an auto-number",
    # relationships (hulian.metadata.relationship_checks, derived_checks)
    "master_detail.self": "a master-detail field targets its own object",
    "master_detail.too_deep": "a master-detail chain is more than 3 levels deep",
    "master_detail.cycle": "master-detail fields make objects masters of each other in a circle",
    "relationship.duplicate_name": "two relationships to one object have the same name",
    "roll_up.field_type": "a roll-up field's type is not number, currency, percent, date or "
    "datetime",
    "roll_up.unknown_object": "a roll-up's object is not another object of the pack",
    "roll_up.unknown_relationship": "a roll-up's relationship is not a lookup or master-detail "
    "field of its object pointing at this one",
    "roll_up.field": "a roll-up lacks the field its function summarises, or COUNT has one",
    "roll_up.unknown_field": "a roll-up's field is not a field of its object",
    "roll_up.type_mismatch": "a roll-up's function does not fit the summarised field's type, or "
    "the roll-up field's own type does not fit the result",
    "quote.unknown_path": "a quote's path names a field that is not a lookup or master-detail "
    "field",
    "quote.unknown_field": "a quote's last segment is not a field of the object reached",
    "quote.type_mismatch": "a quote field's type differs from the type of the field it shows",
    "quote.cycle": "quote fields that show each other in a circle",
    # values and settings
    "picklist.duplicate_option": "two options of a picklist have the same api_name",
    "default.type": "a default value does not fit its field",
    "default.not_allowed": "a lookup, master-detail or auto-number field has a default",
    "backfill.type": "a backfill value does not fit its field",
    "backfill.not_allowed": "a lookup, master-detail or auto-number field has a backfill",
    "number.scale": "a number's scale is greater than its precision",
    "number.range": "a number's minimum is greater than its maximum",
    "pattern.invalid": "a field's pattern is not a valid regular expression",
    "auto_number.format": "an auto-number format has unknown tokens or not exactly one counter",
    "auto_number.reset": "an auto-number resets by period but its format lacks that period's "
    "date tokens",
    "field.key_not_applicable": "a key set on a field type that does not take it",
    "indexed.not_allowed": "indexed is true on a field no index can serve: a textarea, a "
    "multi_picklist, or a formula, roll-up or quote field",
    "label.missing_language": "a label lacks Chinese (zh) or English (en)",
    # formulas and rules (their expressions are checked by the engine: formula.* codes)
    "formula.field_type": "a formula field's type is not a formula result type",
    "rule.unknown_field": "a validation rule's error_field is not a field of the object",
    # roles, apps, sharing rules and custom actions (hulian.metadata.access_checks)
    "role.file_name_mismatch": "a role file is not named after its role",
    "role.builtin_name": "a role is named admin or member, roles every tenant has",
    "role.interconnect_admin": "an interconnect role is an admin role",
    "role.interconnect_setup": "an interconnect role holds the setup permission",
    "role.unknown_object": "a role gives permissions on an object that is not in the pack",
    "role.unknown_field": "a role's field permission names a field the object does not have",
    "role.unknown_action": "a role grants an action that is not a custom action of the object",
    "app.file_name_mismatch": "an app file is not named after its app",
    "app.unknown_object": "an app opens an object that is not in the pack",
    "app.unknown_role": "an app lists a role that is not in the pack",
    "app.role_kind": "an app lists an internal role instead of an interconnect one",
    "sharing_rule.basis": "a sharing rule has both or neither of owned_by and criteria",
    "sharing_rule.unknown_role": "a sharing rule names a role that is not in the pack nor "
    "built in",
    "sharing_rule.owner_role_kind": "a sharing rule's owned_by names an interconnect role",
    "action.standard_name": "a custom action is named like a standard action (create, read...)",
    "master_detail.access": "a detail object declares data_permission or sharing_rules (its "
    "records follow their master's)",
    # packs and overlays (hulian.metadata.layers)
    "pack.object_conflict": "two installed packs, or a pack and the overlay, define the same "
    "object",
    "pack.role_conflict": "two installed packs, or a pack and the overlay, define the same role",
    "pack.app_conflict": "two installed packs, or a pack and the overlay, define the same app",
    "pack.extension_conflict": "two packs that extend the same base pack override one of its "
    "properties with different values",
    "pack.immutable_changed": "a new pack version changes a property its installed version "
    "declared immutable, or stops declaring it immutable",
    "extension.unknown_object": "an extension file extends an object no installed pack has",
    "extension.unknown_field": "a field_overrides key is not a field of the extended object",
    "extension.unknown_rule": "a rule_overrides key is not a validation rule of the extended "
    "object",
    "extension.unknown_sharing_rule": "a sharing_rule_overrides key is not a sharing rule of "
    "the extended object",
    "extension.unknown_role": "a role extension extends a role no installed pack defines",
    "extension.unknown_app": "an app extension extends an app no installed pack defines",
    "extension.not_required": "a preset pack extends an object, role or app of a pack it does "
    "not require",
    "extension.unknown_business_type": "a business_type_overrides key is not a business type "
    "of the extended object",
    "overlay.locked_property": "the overlay overrides a property the pack keeps locked or "
    "immutable",
    # layouts, scenes and home views (hulian.metadata.kinds)
    "layout.file_name_mismatch": "a layout file is not named after its layout",
    "layout.unknown_object": "a layout is for an object the pack does not have",
    "layout.unknown_field": "a layout (a section, column, card or related list) names a field the "
    "object does not have",
    "layout.unknown_business_type": "a layout is assigned to a business type the object does not "
    "have",
    "layout.unknown_role": "a layout is assigned to a role that is neither built in nor in the "
    "pack",
    "layout.unknown_relationship": "a related list names a relationship the object does not have",
    "layout.unknown_button": "a button is neither a standard button nor a custom action of the "
    "object",
    "layout.key_not_applicable": "a detail layout has list keys (columns, card) or a list layout "
    "detail keys (sections, related_lists, buttons)",
    "layout.empty_section": "a section lists no fields",
    "layout.duplicate_field": "a field is in a detail layout twice, or twice in one list of "
    "columns (a list layout's, its card's or a related list's)",
    "layout.required_not_writable": "a layout requires a field nobody writes (a formula, roll-up, "
    "quote, auto-number or system field)",
    "layout.unsortable_field": "a related list is sorted by a multi-picklist",
    "layout.duplicate_assignment": "two layouts of one object, kind and channel are assigned to "
    "the same role and business type",
    "layout.duplicate_default": "two layouts claim to be the default of one object, kind and "
    "channel",
    "scene.file_name_mismatch": "a scene file is not named after its scene",
    "scene.reserved_name": "a scene is named like a built-in scene (all, mine, in_my_team, "
    "my_subordinates)",
    "scene.unknown_object": "a scene is for an object the pack does not have",
    "scene.unknown_field": "a scene's columns or sort name a field the object does not have",
    "scene.unsortable_field": "a scene is sorted by a multi-picklist",
    "scene.duplicate_field": "a scene lists a column twice",
    "scene.unknown_role": "a scene is visible to a role that is neither built in nor in the pack",
    "scene.duplicate_default": "two scenes claim to be the default of one object",
    "home_view.file_name_mismatch": "a home view file is not named after its home view",
    "home.unknown_role": "a home view is for a role that is neither built in nor in the pack",
    "home.unknown_object": "a widget names an object the pack does not have",
    "home.unknown_scene": "a widget names a scene the object does not have",
    "home.unknown_field": "a metric names a field the object does not have",
    "home.metric_needs_field": "a SUM, AVG, MIN or MAX metric names no field",
    "home.metric_not_numeric": "a metric sums or averages a field that is not a number, currency "
    "or percent (MIN and MAX: or a date or time)",
    "home.duplicate_assignment": "two home views of one channel are for the same role, or both are "
    "its default",
    "pack.layout_conflict": "two installed packs define a layout of the same api_name",
    "pack.scene_conflict": "two installed packs define a scene of the same api_name",
    "pack.home_view_conflict": "two installed packs define a home view of the same api_name",
    "overlay.locked_document": "the overlay replaces a layout, scene, home view or flow the pack "
    "locked "
    "(\"customizable\": {\"document\": \"locked\"})",
    # flows (hulian.metadata.kinds.flows)
    "flow.file_name_mismatch": "a flow file is not named after its flow",
    "flow.unknown_object": "a flow (or its create_record action) names an object the pack does "
    "not have",
    "flow.unknown_field": "a flow names a field its object (or the master, or the created "
    "record's object) does not have",
    "flow.unknown_role": "an approver or recipient names a role that is neither built in nor in "
    "the pack",
    "flow.role_kind": "an approver or recipient's role names an interconnect role, or its "
    "enterprise_role an internal one",
    "flow.duplicate_name": "two steps of an approval process, or two scheduled actions of an "
    "automation, have the same api_name",
    "flow.key_not_applicable": "a flow has a key of the other flow type (trigger on an approval, "
    "steps on an automation), or an action a key of another action type",
    "flow.field_not_writable": "a flow sets a field hulian computes (formula, roll-up, quote, "
    "auto-number)",
    "flow.not_a_date": "a scheduled action is relative to a field that is not a date or datetime",
    "flow.no_master": "a field update on the master names no master-detail field the object has, "
    "or the object has several and master_field names none",
    "flow.incomplete": "a flow document without a type holds more than api_name and active, or "
    "not active",
    "flow.switch_without_flow": "a file switches a flow off or on where there is none to switch "
    "(a preset pack, or an overlay naming no installed pack's flow)",
    "pack.flow_conflict": "two installed packs define a flow of the same api_name",
    # webhooks (hulian.metadata.kinds.webhooks)
    "webhook.file_name_mismatch": "a webhook file is not named after its webhook",
    "webhook.unknown_object": "a webhook is for an object the pack does not have",
    "webhook.url_scheme": "a webhook's URL is not http:// or https://",
    "webhook.invalid_url": "a webhook's URL is not a URL, names no host, or holds a user name or "
    "password",
    "pack.webhook_conflict": "two installed packs define a webhook of the same api_name",
    # business types and field dependencies (hulian.metadata.business_type_checks)
    "business_type.default": "an object's declared business types have no active default, or more "
    "than one",
    "business_type.unknown_field": "a business type's defaults or options name a field the object "
    "does not have",
    "business_type.invalid_default": "a business type's default value is not a value its field can "
    "take",
    "business_type.unknown_role": "a business type's roles name a role that is neither built in "
    "nor in the pack",
    "business_type.not_a_picklist": "a business type restricts the options of a field that is not "
    "a picklist or multi-picklist",
    "business_type.unknown_option": "a business type allows an option its picklist does not have",
    "business_type.default_not_allowed": "a business type's default option for a picklist is not "
    "among the options it allows",
    "dependency.unknown_field": "a field dependency names a field the object does not have",
    "dependency.controlling_type": "a field dependency's controlling field is not a picklist or "
    "checkbox",
    "dependency.dependent_type": "a field dependency's dependent field is not a picklist or "
    "multi-picklist",
    "dependency.unknown_option": "a field dependency names a value its controlling field or an "
    "option its dependent field does not have",
    "dependency.duplicate": "two field dependencies have the same dependent field",
    "dependency.cycle": "fields control each other in a cycle",
    # owner rules (hulian.metadata.owner_rule_checks)
    "owner_rule.on_detail": "a detail object (master-detail) declares owner rules: its records "
    "are owned by their master's owner",
    "owner_rule.unknown_role": "an owner rule takes turns among a role that is not an internal "
    "role of the pack",
    # field history (hulian.metadata.history_checks)
    "history.unknown_field": "track_history names a field the object does not have (nor one of "
    "the system fields a history shows)",
    "history.untrackable_field": "track_history names a formula or quote field, which stores "
    "nothing and so never changes",
    "history.duplicate_field": "track_history names a field twice",
}
