"""The UI strings of the list, record and form pages, in Chinese and English; merged into
the catalogues of :mod:`hulian.runtime.ui.i18n`."""

from __future__ import annotations

__all__ = ["RECORD_STRINGS"]

RECORD_STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "export": "导出", "recycle_bin": "回收站", "scenes": "场景", "filters": "筛选",
        "from": "从", "to": "至", "any": "全部", "yes": "是", "no": "否",
        "select": "选择", "select_record": "选择 {name}", "delete_selected": "删除所选",
        "confirm_delete": "确定删除吗？删除的记录可在回收站恢复。", "pages": "翻页",
        "first_page": "第一页", "next_page": "下一页",
        "version_conflict": "保存失败：这条记录在您编辑期间已被他人修改。下面是它现在的内容，"
                            "请在此基础上重新修改并保存。",
        "business_type": "业务类型", "choose": "选择", "choose_record": "选择记录",
        "approval": "审批", "approval_status": "审批状态", "approval_none": "未提交",
        "approval_pending": "审批中", "approval_approved": "已通过",
        "approval_rejected": "已拒绝", "approval_recalled": "已撤回", "locked": "已锁定",
        "comment": "意见", "approver_waiting": "待审批", "approver_approved": "已同意",
        "approver_rejected": "已拒绝", "approver_skipped": "已跳过",
        "activities": "活动记录", "no_activities": "暂无活动记录。",
        "activity_kind": "类型", "activity_text": "内容", "activity_note": "备注",
        "activity_call": "电话", "activity_visit": "拜访", "log_activity": "记录活动",
        "history": "修改历史", "no_history": "暂无修改历史。", "history_create": "创建",
        "history_update": "修改", "history_delete": "删除", "history_restore": "恢复",
        "restore": "恢复", "bin_empty": "回收站是空的。",
    },
    "en": {
        "export": "Export", "recycle_bin": "Recycle bin", "scenes": "Scenes",
        "filters": "Filters", "from": "from", "to": "to", "any": "Any", "yes": "Yes",
        "no": "No", "select": "Select", "select_record": "Select {name}",
        "delete_selected": "Delete selected",
        "confirm_delete": "Delete? Deleted records can be restored from the recycle bin.",
        "pages": "Pages", "first_page": "First page", "next_page": "Next page",
        "version_conflict": "Not saved: someone changed this record while you were editing "
                            "it. Below are its current values; make your change again and "
                            "save.",
        "business_type": "Business type", "choose": "Choose", "choose_record": "Choose a record",
        "approval": "Approval", "approval_status": "Approval status",
        "approval_none": "Not submitted", "approval_pending": "Pending",
        "approval_approved": "Approved", "approval_rejected": "Rejected",
        "approval_recalled": "Recalled", "locked": "Locked", "comment": "Comment",
        "approver_waiting": "Waiting", "approver_approved": "Approved",
        "approver_rejected": "Rejected", "approver_skipped": "Skipped",
        "activities": "Activities", "no_activities": "No activities yet.",
        "activity_kind": "Kind", "activity_text": "What happened", "activity_note": "Note",
        "activity_call": "Call", "activity_visit": "Visit", "log_activity": "Log activity",
        "history": "History", "no_history": "No changes yet.", "history_create": "Created",
        "history_update": "Changed", "history_delete": "Deleted",
        "history_restore": "Restored", "restore": "Restore",
        "bin_empty": "The recycle bin is empty.",
    },
}
