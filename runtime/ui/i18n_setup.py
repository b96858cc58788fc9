"""The UI strings of the config pages (``/setup``), in Chinese and English; merged into
the catalogues of :mod:`hulian.runtime.ui.i18n`."""

from __future__ import annotations

from hulian.metadata.field_types import REGISTERED
from hulian.metadata.model import EXTERNAL_DATA_PERMISSIONS
from hulian.runtime.ui.i18n_setup_access import ACCESS_STRINGS
from hulian.runtime.ui.i18n_setup_flows import FLOW_STRINGS
from hulian.runtime.ui.i18n_setup_views import VIEW_STRINGS

__all__ = ["SETUP_STRINGS"]

TYPE_NAMES = {
    "text": ("文本", "Text"), "textarea": ("长文本", "Long text"), "number": ("数字", "Number"),
    "currency": ("金额", "Currency"), "percent": ("百分比", "Percent"),
    "boolean": ("是/否", "Checkbox"), "date": ("日期", "Date"),
    "datetime": ("日期时间", "Date and time"), "time": ("时间", "Time"),
    "picklist": ("单选", "Picklist"), "multi_picklist": ("多选", "Multi-select picklist"),
    "email": ("邮箱", "Email"), "phone": ("电话", "Phone"), "url": ("网址", "URL"),
    "lookup": ("查找关联", "Lookup"), "master_detail": ("主从关联", "Master-detail"),
    "auto_number": ("自动编号", "Auto number"),
}
LEVELS = {
    "private": ("私有", "Private"), "company_read": ("公司内只读", "Company: read"),
    "company_read_write": ("公司内读写", "Company: read and write"),
    "public_read": ("公开只读", "Public: read"),
    "public_read_write": ("公开读写", "Public: read and write"),
}

_ZH: dict[str, str] = {
    "setup": "设置", "back": "返回", "actions": "操作",
    "setup_objects": "对象", "setup_roles": "角色与权限", "setup_apps": "互联应用",
    "setup_partners": "下游企业与用户", "setup_layouts": "布局", "setup_scenes": "场景",
    "setup_home": "首页", "setup_versions": "版本历史",
    "setup_version": "当前元数据版本：{n}",
    "setup_label": "名称", "setup_plural_label": "复数名称", "setup_api_name": "API 名称",
    "setup_api_name_help": "字母、数字和下划线；自动加上 __c 后缀。",
    "setup_rename_help": "修改后即为重命名：已有数据随字段保留。",
    "setup_object_name_help": "大写字母开头的英文单词（如 CampaignRequest）；自动加上 __c 后缀。",
    "setup_whose": "来源", "setup_whose_custom": "自定义", "setup_whose_pack": "预置包",
    "setup_fields": "字段", "setup_type": "类型", "setup_new_object": "新建自定义对象",
    "setup_new_field": "新建字段", "setup_edit_field": "编辑字段",
    "setup_name_field": "名称字段", "setup_description": "说明（仅管理员可见）",
    "setup_data_permission": "数据权限", "setup_internal": "内部员工",
    "setup_external": "互联用户（下游）", "setup_track_history": "记录字段变更历史",
    "setup_object_settings": "对象设置", "setup_review_plan": "查看变更计划",
    "setup_plan": "变更计划", "setup_plan_intro": "部署后元数据版本将是 {n}。将执行以下步骤：",
    "setup_no_changes": "没有需要部署的变更。",
    "setup_nothing_changed": "没有任何修改。",
    "setup_kind_safe": "安全", "setup_kind_needs_data_check": "需检查数据",
    "setup_kind_destructive": "破坏性",
    "setup_destructive_note": "破坏性步骤会把数据移出在用结构（归档，可恢复，直到被清除）。",
    "setup_checks": "数据检查",
    "setup_check_passed": "{what}：通过，检查了 {n} 条记录",
    "setup_check_failed": "{what}：{n} 条记录中有 {failed} 条不符合",
    "setup_check_skipped": "{what}：因前面的检查失败而未执行",
    "setup_record": "记录", "setup_value": "值", "setup_problem": "问题",
    "setup_deploy": "部署", "setup_nothing_applied": "没有做任何修改。",
    "setup_deployed": "已部署，当前版本 {n}。",
    "setup_refused": "未能部署",
    "setup_concurrent": "在您编辑期间，其他管理员已部署了新的变更。"
                        "您的修改没有应用，也没有丢失他人的修改："
                        "请返回查看最新内容后重新修改。",
    "setup_problems": "请修正以下问题：", "setup_problems_below": "请修正下方标出的问题。",
    "setup_not_a_number": "“{text}” 不是数字",
    "setup_choose_type": "选择字段类型", "setup_derived_fields": "计算字段",
    "setup_derived_formula": "计算公式", "setup_derived_roll_up": "汇总",
    "setup_derived_quote": "引用",
    "setup_formula": "公式", "setup_quote": "引用路径（查找字段.字段）",
    "setup_roll_up_object": "子对象", "setup_roll_up_relationship": "关联字段",
    "setup_roll_up_function": "汇总方式", "setup_roll_up_field": "汇总的字段",
    "setup_roll_up_filter": "筛选条件（公式）",
    "setup_options_help": "每行一个选项：API 名称 | 中文 | English（可加 | inactive 停用）",
    "setup_default": "默认值", "setup_flags": "约束", "setup_required": "必填",
    "setup_unique": "唯一", "setup_indexed": "建立索引（加快筛选和排序）",
    "setup_hidden": "隐藏", "setup_help": "帮助文字",
    "setup_pack_field_note": "这是预置包的字段：只能修改预置包允许修改的属性。",
    "setup_change_type": "修改字段类型", "setup_archive": "归档",
    "setup_archive_field": "归档字段", "setup_restore": "恢复",
    "setup_restore_field": "恢复字段", "setup_archived_fields": "已归档的字段",
    "setup_rules": "校验规则", "setup_new_rule": "新建校验规则",
    "setup_no_rules": "还没有校验规则。", "setup_inactive": "已停用",
    "setup_pack_rule_note": "这是预置包的规则：只能启用/停用和修改提示信息。",
    "setup_condition": "条件（公式）",
    "setup_condition_help": "为真（TRUE）时记录无效，保存被拒绝。",
    "setup_rule_message": "错误提示", "setup_error_field": "显示在字段旁",
    "setup_active": "启用", "setup_formula_empty": "请输入公式。",
    "setup_formula_ok": "公式正确，结果类型：{type}",
    "setup_history": "版本历史", "setup_deployed_by": "部署人", "setup_deployed_at": "时间",
    "setup_steps": "步骤", "setup_diff": "变更内容", "setup_rollback": "回滚到此版本",
    "setup_current": "当前版本", "setup_export": "导出定制（JSON）",
    "setup_export_help": "导出的即是 hulian export --overlay 写出的文件："
                         "可放入 git 中，修改后用 hulian deploy 部署。",
}

_EN: dict[str, str] = {
    "setup": "Setup", "back": "Back", "actions": "Actions",
    "setup_objects": "Objects", "setup_roles": "Roles and permissions",
    "setup_apps": "Interconnect apps", "setup_partners": "Partners and users",
    "setup_layouts": "Layouts", "setup_scenes": "Scenes", "setup_home": "Home views",
    "setup_versions": "Versions",
    "setup_version": "Metadata version {n}",
    "setup_label": "Label", "setup_plural_label": "Plural label", "setup_api_name": "API name",
    "setup_api_name_help": "Letters, digits and _; __c is added at the end.",
    "setup_rename_help": "Changing it renames the field: its stored values follow.",
    "setup_object_name_help": "Words in CamelCase starting with a capital (CampaignRequest); "
                              "__c is added at the end.",
    "setup_whose": "Source", "setup_whose_custom": "Custom", "setup_whose_pack": "Pack",
    "setup_fields": "Fields", "setup_type": "Type", "setup_new_object": "New custom object",
    "setup_new_field": "New field", "setup_edit_field": "Edit field",
    "setup_name_field": "Name field", "setup_description": "Description (for admins)",
    "setup_data_permission": "Data permission", "setup_internal": "Employees",
    "setup_external": "Interconnect users (downstream)",
    "setup_track_history": "Track field history",
    "setup_object_settings": "Object settings", "setup_review_plan": "Review the plan",
    "setup_plan": "Deploy plan",
    "setup_plan_intro": "Deploying makes metadata version {n}. These steps will run:",
    "setup_no_changes": "There is nothing to deploy.",
    "setup_nothing_changed": "Nothing was changed.",
    "setup_kind_safe": "safe", "setup_kind_needs_data_check": "needs data check",
    "setup_kind_destructive": "destructive",
    "setup_destructive_note": "Destructive steps move data out of the live schema (archived, "
                              "restorable until purged).",
    "setup_checks": "Data checks",
    "setup_check_passed": "{what}: passed, {n} record(s) checked",
    "setup_check_failed": "{what}: {failed} of {n} record(s) do not fit",
    "setup_check_skipped": "{what}: not run, an earlier check failed",
    "setup_record": "Record", "setup_value": "Value", "setup_problem": "Problem",
    "setup_deploy": "Deploy", "setup_nothing_applied": "Nothing was applied.",
    "setup_deployed": "Deployed: metadata version {n}.",
    "setup_refused": "Not deployed",
    "setup_concurrent": "Another administrator deployed a change while you were editing. Yours "
                        "was not applied and theirs is kept: go back to see the current "
                        "metadata, then make your change again.",
    "setup_problems": "Please fix these problems:",
    "setup_problems_below": "Please fix the problems marked below.",
    "setup_not_a_number": "“{text}” is not a number",
    "setup_choose_type": "choose its type", "setup_derived_fields": "Computed fields",
    "setup_derived_formula": "Formula", "setup_derived_roll_up": "Roll-up",
    "setup_derived_quote": "Quote",
    "setup_formula": "Formula", "setup_quote": "Quoted path (lookup.field)",
    "setup_roll_up_object": "Child object", "setup_roll_up_relationship": "Relationship field",
    "setup_roll_up_function": "Function", "setup_roll_up_field": "Summarised field",
    "setup_roll_up_filter": "Filter (a formula)",
    "setup_options_help": "One option per line: api_name | 中文 | English (add | inactive to "
                          "retire one)",
    "setup_default": "Default value", "setup_flags": "Constraints",
    "setup_required": "Required", "setup_unique": "Unique",
    "setup_indexed": "Indexed (faster filters and sorting)", "setup_hidden": "Hidden",
    "setup_help": "Help text",
    "setup_pack_field_note": "A pack's field: only what the pack leaves editable can change.",
    "setup_change_type": "Change the type", "setup_archive": "Archive",
    "setup_archive_field": "Archive field", "setup_restore": "Restore",
    "setup_restore_field": "Restore field", "setup_archived_fields": "Archived fields",
    "setup_rules": "Validation rules", "setup_new_rule": "New validation rule",
    "setup_no_rules": "No validation rules yet.", "setup_inactive": "inactive",
    "setup_pack_rule_note": "A pack's rule: it can be switched on or off and its message "
                            "changed.",
    "setup_condition": "Condition (a formula)",
    "setup_condition_help": "When it is TRUE the record is invalid and is not saved.",
    "setup_rule_message": "Error message", "setup_error_field": "Shown beside the field",
    "setup_active": "Active", "setup_formula_empty": "Type a formula.",
    "setup_formula_ok": "The formula is fine; its type: {type}",
    "setup_history": "Versions", "setup_deployed_by": "By", "setup_deployed_at": "When",
    "setup_steps": "Steps", "setup_diff": "Changes", "setup_rollback": "Roll back to this "
                                                                        "version",
    "setup_current": "current", "setup_export": "Export the customisations (JSON)",
    "setup_export_help": "These are the files hulian export --overlay writes: keep them in "
                         "git, edit them and deploy them with hulian deploy.",
}


for _part in (ACCESS_STRINGS, FLOW_STRINGS, VIEW_STRINGS):
    _ZH.update(_part["zh"])
    _EN.update(_part["en"])
for _type in REGISTERED:
    _zh, _en = TYPE_NAMES.get(_type.name, (_type.name, _type.name))
    _ZH[f"type_{_type.name}"], _EN[f"type_{_type.name}"] = _zh, _en
for _level in EXTERNAL_DATA_PERMISSIONS:
    _ZH[f"level_{_level}"], _EN[f"level_{_level}"] = LEVELS[_level]

SETUP_STRINGS: dict[str, dict[str, str]] = {"zh": _ZH, "en": _EN}

