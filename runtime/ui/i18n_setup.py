"""The UI strings of the config pages (``/setup``), in Chinese and English; merged into
the catalogues of :mod:`hulian.runtime.ui.i18n`."""

from __future__ import annotations

from hulian.metadata.field_types import REGISTERED
from hulian.metadata.model import EXTERNAL_DATA_PERMISSIONS

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

for _type in REGISTERED:
    _zh, _en = TYPE_NAMES.get(_type.name, (_type.name, _type.name))
    _ZH[f"type_{_type.name}"], _EN[f"type_{_type.name}"] = _zh, _en
for _level in EXTERNAL_DATA_PERMISSIONS:
    _ZH[f"level_{_level}"], _EN[f"level_{_level}"] = LEVELS[_level]

SETUP_STRINGS: dict[str, dict[str, str]] = {"zh": _ZH, "en": _EN}

# -- business types, layouts, scenes and home views (runtime/setup/layouts.py ...) ----------
_ZH.update({
    "setup_default_badge": "默认", "setup_object": "对象", "setup_layout": "布局",
    "setup_new_layout": "新建布局",
    "setup_layout_kind": "类型", "setup_layout_kind_detail": "详情页",
    "setup_layout_kind_list": "列表",
    "setup_channel": "终端", "setup_channel_web": "网页", "setup_channel_mobile": "手机",
    "setup_assignments": "分配", "setup_default_layout": "默认（没有分配匹配的用户使用它）",
    "setup_any_role": "任意角色", "setup_any_business_type": "任意业务类型",
    "setup_layout_name_help": "小写字母、数字和下划线，字母开头（如 order_mobile）。",
    "setup_layout_not_saved": "修改尚未保存：检查无误后点“查看部署计划”。",
    "setup_layout_locked": "预置包锁定了这个布局：不能用自己的版本替换它。",
    "setup_sections": "分区", "setup_list_columns": "列表列",
    "setup_layout_order_help": "拖动字段调整顺序，或用 ↑ ↓ 按钮（不需要脚本）；"
                               "移出分区顶端或底端的字段进入上一个或下一个分区。",
    "setup_section_label": "分区名称", "setup_section_columns": "栏数",
    "setup_move_up": "上移", "setup_move_down": "下移", "setup_remove": "移除",
    "setup_remove_section": "移除分区", "setup_read_only": "只读",
    "setup_add_field": "添加字段", "setup_field": "字段", "setup_to_section": "加到分区",
    "setup_add": "添加", "setup_new_section": "新建分区", "setup_related_lists": "相关列表",
    "setup_add_related": "添加相关列表", "setup_role": "角色", "setup_business_type": "业务类型",
    "setup_assignments_help": "每行一个分配：角色 × 业务类型（留空为任意）。最具体的匹配优先。",
    "setup_new_assignment": "新分配", "setup_apply_edits": "应用修改（不部署）",
    "setup_business_types": "业务类型", "setup_new_business_type": "新建业务类型",
    "setup_everyone": "所有人", "setup_no_business_types": "还没有业务类型：所有记录为默认类型。",
    "setup_pack_business_type_note": "预置包的业务类型：可修改名称、启用、默认、角色和选项子集。",
    "setup_business_type_name_help": "小写字母、数字和下划线，字母开头（如 wholesale）。",
    "setup_default_business_type": "默认（新记录未指定类型时使用）",
    "setup_business_type_roles": "可使用的角色",
    "setup_business_type_roles_help": "只有这些角色的用户可以新建这种类型的记录；"
                                      "都不勾选：所有可新建记录的人。",
    "setup_option_subsets": "选项子集",
    "setup_option_subsets_help": "每个单选字段中这种类型允许的选项；都不勾选：全部选项。",
    "setup_option_default": "这种类型的默认选项",
    "setup_scene": "场景", "setup_new_scene": "新建场景",
    "setup_scenes_intro": "场景是保存的列表视图：筛选条件、列、排序和可见范围。",
    "setup_scene_filter": "筛选条件（公式）",
    "setup_scene_filter_help": "为真的记录列在场景中；可以用 $User（当前用户），"
                               "如 owner_id = $User.id。留空：用户能看到的所有记录。",
    "setup_scene_columns": "列", "setup_scene_columns_help": "字段 API 名称，按顺序，逗号分隔"
                                                             "（留空用列表布局的列）。可用：",
    "setup_scene_sort": "排序", "setup_scene_sort_help": "字段 API 名称，逗号分隔；"
                                                         "前面加 - 为降序（如 -created_at）。",
    "setup_scene_visible_to": "可见范围",
    "setup_scene_visible_help": "勾选角色则只有这些角色可用；都不勾选：按下面的用户类型。",
    "setup_scene_users": "用户类型", "setup_users_internal": "仅内部用户",
    "setup_users_interconnect": "仅互联用户", "setup_scene_default": "对象列表默认打开这个场景",
    "setup_home_view": "首页", "setup_new_home_view": "新建首页", "setup_home_views": "所有首页",
    "setup_home_per_role": "每个角色的首页", "setup_home_default_view": "默认",
    "setup_home_widgets": "组件", "setup_home_default": "默认（没有首页指定的用户使用它）",
    "setup_widget_kind": "组件类型", "setup_widget_scene_list": "场景列表",
    "setup_widget_metric": "指标", "setup_widget_quick_create": "快速新建",
    "setup_widget_app_tiles": "应用入口", "setup_widget_text": "公告",
    "setup_widget_title": "标题", "setup_widget_rows": "行数", "setup_widget_function": "统计",
    "setup_widget_field_help": "统计的字段（COUNT 可留空）。", "setup_add_widget": "添加组件",
})
_EN.update({
    "setup_default_badge": "default", "setup_object": "Object", "setup_layout": "Layout",
    "setup_new_layout": "New layout",
    "setup_layout_kind": "Kind", "setup_layout_kind_detail": "Record page",
    "setup_layout_kind_list": "List",
    "setup_channel": "Channel", "setup_channel_web": "Web", "setup_channel_mobile": "Mobile",
    "setup_assignments": "Assignments",
    "setup_default_layout": "Default (for users no assignment matches)",
    "setup_any_role": "any role", "setup_any_business_type": "any business type",
    "setup_layout_name_help": "Lower-case letters, digits and _, starting with a letter "
                              "(e.g. order_mobile).",
    "setup_layout_not_saved": "Not saved yet: when it looks right, press “Review the plan”.",
    "setup_layout_locked": "The pack locks this layout: it cannot be replaced by one of "
                           "the tenant's own.",
    "setup_sections": "Sections", "setup_list_columns": "List columns",
    "setup_layout_order_help": "Drag fields to reorder them, or use the ↑ ↓ buttons (no "
                               "script needed); a field moved past the top or bottom of its "
                               "section goes to the section before or after it.",
    "setup_section_label": "Section label", "setup_section_columns": "Columns",
    "setup_move_up": "Move up", "setup_move_down": "Move down", "setup_remove": "Remove",
    "setup_remove_section": "Remove section", "setup_read_only": "Read-only",
    "setup_add_field": "Add a field", "setup_field": "Field", "setup_to_section": "To section",
    "setup_add": "Add", "setup_new_section": "New section",
    "setup_related_lists": "Related lists", "setup_add_related": "Add a related list",
    "setup_role": "Role", "setup_business_type": "Business type",
    "setup_assignments_help": "One assignment a row: role × business type (empty: any). "
                              "The most specific match wins.",
    "setup_new_assignment": "New assignment", "setup_apply_edits": "Apply edits (no deploy)",
    "setup_business_types": "Business types", "setup_new_business_type": "New business type",
    "setup_everyone": "everyone",
    "setup_no_business_types": "No business types yet: every record has the default type.",
    "setup_pack_business_type_note": "A pack's business type: its label, active, default, "
                                     "roles and option subsets can be changed.",
    "setup_business_type_name_help": "Lower-case letters, digits and _, starting with a "
                                     "letter (e.g. wholesale).",
    "setup_default_business_type": "Default (for new records that name no type)",
    "setup_business_type_roles": "Roles that may use it",
    "setup_business_type_roles_help": "Only users with these roles may create records of "
                                      "this type; none ticked: everyone who may create "
                                      "records.",
    "setup_option_subsets": "Option subsets",
    "setup_option_subsets_help": "Per picklist, the options this type allows; none ticked: "
                                 "all of them.",
    "setup_option_default": "This type's default option",
    "setup_scene": "Scene", "setup_new_scene": "New scene",
    "setup_scenes_intro": "A scene is a saved list view: a filter, columns, sort and who "
                          "may use it.",
    "setup_scene_filter": "Filter (a formula)",
    "setup_scene_filter_help": "Records for which it is TRUE are listed; it may use $User "
                               "(the reader), e.g. owner_id = $User.id. Empty: every "
                               "record the reader may see.",
    "setup_scene_columns": "Columns",
    "setup_scene_columns_help": "Field API names in order, comma-separated (empty: the "
                                "list layout's). Available:",
    "setup_scene_sort": "Sort", "setup_scene_sort_help": "Field API names, comma-separated; "
                                                         "- in front for descending (e.g. "
                                                         "-created_at).",
    "setup_scene_visible_to": "Visible to",
    "setup_scene_visible_help": "Ticked roles: only users with one of them; none ticked: "
                                "the kind of users below.",
    "setup_scene_users": "Users", "setup_users_internal": "internal users only",
    "setup_users_interconnect": "interconnect users only",
    "setup_scene_default": "The object's list opens with this scene",
    "setup_home_view": "Home view", "setup_new_home_view": "New home view",
    "setup_home_views": "All home views", "setup_home_per_role": "Each role's home view",
    "setup_home_default_view": "default", "setup_home_widgets": "Widgets",
    "setup_home_default": "Default (for users no view names)",
    "setup_widget_kind": "Widget kind", "setup_widget_scene_list": "Scene list",
    "setup_widget_metric": "Metric", "setup_widget_quick_create": "Quick create",
    "setup_widget_app_tiles": "App tiles", "setup_widget_text": "Announcement",
    "setup_widget_title": "Title", "setup_widget_rows": "Rows",
    "setup_widget_function": "Function",
    "setup_widget_field_help": "The field summarised (may be empty for COUNT).",
    "setup_add_widget": "Add a widget",
})
