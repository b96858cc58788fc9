"""The UI strings of the business types, layouts, scenes and home views pages
(runtime/setup/business_types.py, layouts.py, scenes.py, home.py), in Chinese and English;
merged into the config UI's catalogue by :mod:`hulian.runtime.ui.i18n_setup`."""

from __future__ import annotations

__all__ = ["VIEW_STRINGS"]

VIEW_STRINGS: dict[str, dict[str, str]] = {"zh": {
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
    "setup_add_related": "添加相关列表", "setup_business_type": "业务类型",
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
}, "en": {
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
    "setup_business_type": "Business type",
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
}}
