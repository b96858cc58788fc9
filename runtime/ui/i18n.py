"""The UI's own words in Chinese and English, and the language of a request.

Every string a template shows goes through ``t("key")``; metadata labels carry their own
languages (:func:`hulian.metadata.model.label_text`). The language is the ``lang`` cookie
(set by the shell's switch, :data:`LANG_COOKIE`), else the best of ``Accept-Language``,
else Chinese.

>>> translator("en")("save")
'Save'
>>> translator("zh")("save")
'保存'
>>> language_from_header("en-GB,en;q=0.9,zh;q=0.5")
'en'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request

from hulian.metadata.model import label_text
from hulian.runtime.ui.i18n_records import RECORD_STRINGS
from hulian.runtime.ui.i18n_setup import SETUP_STRINGS

__all__ = ["CATALOGUES", "DEFAULT_LANG", "LANGS", "LANG_COOKIE", "Translate", "label",
           "language", "language_from_header", "translator"]

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "lang"

Translate = Callable[..., str]

ZH: dict[str, str] = {
    # the shell
    "product": "互联",
    "skip_to_main": "跳到正文",
    "apps": "应用",
    "app_launcher": "应用列表",
    "internal_crm": "客户管理",
    "internal_crm_description": "企业内部的全部对象",
    "home": "首页",
    "language": "语言",
    "channel": "界面",
    "channel_web": "电脑",
    "channel_mobile": "手机",
    "account": "账户",
    "change_password": "修改密码",
    "logout": "登出",
    "account_menu": "账户与登出",
    "notifications": "通知",
    "notifications_unread": "{n} 条未读通知",
    "signed_in_as": "当前用户：{name}",
    "objects": "对象",
    "no_objects": "没有可查看的对象。",
    "home_empty": "首页还没有内容。",
    "more": "更多",
    "open": "打开",
    "empty_list": "暂无记录。",
    # login
    "login_title": "登录",
    "tenant": "租户",
    "username": "用户名",
    "password": "密码",
    "login": "登录",
    "login_failed": "租户、用户名或密码不正确。",
    "login_failed_portal": "用户名或密码不正确。",
    "login_throttled": "登录失败次数过多，请 {minutes} 分钟后再试。",
    "login_expired": "登录已过期，请重新登录。",
    "logged_out": "您已登出。",
    "login_form_expired": "登录表单已过期，请重新提交。",
    "portal_welcome": "欢迎登录 {name}",
    # password
    "current_password": "当前密码",
    "new_password": "新密码",
    "repeat_password": "确认新密码",
    "password_changed": "密码已修改。",
    "passwords_differ": "两次输入的新密码不一致。",
    "wrong_current_password": "当前密码不正确。",
    "password_too_short": "新密码至少需要 8 个字符。",
    "password_is_username": "新密码不能与用户名相同。",
    "password_unchanged": "新密码不能与当前密码相同。",
    "password_policy": "新密码不符合要求。",
    "required_field": "请填写此项。",
    # notifications
    "no_notifications": "没有通知。",
    "mark_all_read": "全部标为已读",
    "mark_read": "标为已读",
    "unread": "未读",
    "all": "全部",
    # buttons
    "save": "保存",
    "new": "新建",
    "edit": "编辑",
    "delete": "删除",
    "cancel": "取消",
    "search": "搜索",
    "submit_for_approval": "提交审批",
    "approve": "同意",
    "reject": "拒绝",
    "recall": "撤回",
    # errors
    "error": "出错了",
    "errors_summary": "请修正以下问题：",
    "not_found_title": "找不到页面",
    "not_found": "该页面不存在，或您无权查看。",
    "forbidden_title": "无权操作",
    "forbidden": "您没有执行此操作的权限。",
    "csrf_title": "表单已过期",
    "csrf": "此表单已过期或不是从本站提交的。请返回、刷新页面后重试。",
    "server_error_title": "服务器出错",
    "server_error": "服务器未能完成请求，操作已回滚。请稍后再试。",
    "bad_request_title": "请求有误",
    "method_not_allowed": "此页面不支持该操作。",
    "back_home": "返回首页",
    "unavailable_title": "服务暂不可用",
    "too_large": "提交的内容太大。",
}

EN: dict[str, str] = {
    "product": "hulian",
    "skip_to_main": "Skip to main content",
    "apps": "Apps",
    "app_launcher": "App launcher",
    "internal_crm": "CRM",
    "internal_crm_description": "All objects of your company",
    "home": "Home",
    "language": "Language",
    "channel": "View",
    "channel_web": "Desktop",
    "channel_mobile": "Mobile",
    "account": "Account",
    "change_password": "Change password",
    "logout": "Log out",
    "account_menu": "Account and log out",
    "notifications": "Notifications",
    "notifications_unread": "{n} unread notifications",
    "signed_in_as": "Signed in as {name}",
    "objects": "Objects",
    "no_objects": "There are no objects you may see.",
    "home_empty": "Your home page is empty.",
    "more": "More",
    "open": "Open",
    "empty_list": "No records yet.",
    "login_title": "Log in",
    "tenant": "Tenant",
    "username": "Username",
    "password": "Password",
    "login": "Log in",
    "login_failed": "The tenant, username or password is not right.",
    "login_failed_portal": "The username or password is not right.",
    "login_throttled": "Too many failed logins: try again in {minutes} minutes.",
    "login_expired": "Your login has expired: please log in again.",
    "logged_out": "You have logged out.",
    "login_form_expired": "The login form had expired: please send it again.",
    "portal_welcome": "Welcome to {name}",
    "current_password": "Current password",
    "new_password": "New password",
    "repeat_password": "Repeat new password",
    "password_changed": "Your password has been changed.",
    "passwords_differ": "The two new passwords differ.",
    "wrong_current_password": "The current password is not right.",
    "password_too_short": "The new password needs at least 8 characters.",
    "password_is_username": "The new password may not be your username.",
    "password_unchanged": "The new password is your current one.",
    "password_policy": "The new password does not meet the rules.",
    "required_field": "Fill this in.",
    "no_notifications": "No notifications.",
    "mark_all_read": "Mark all read",
    "mark_read": "Mark read",
    "unread": "Unread",
    "all": "All",
    "save": "Save",
    "new": "New",
    "edit": "Edit",
    "delete": "Delete",
    "cancel": "Cancel",
    "search": "Search",
    "submit_for_approval": "Submit for approval",
    "approve": "Approve",
    "reject": "Reject",
    "recall": "Recall",
    "error": "Something went wrong",
    "errors_summary": "Please fix the following:",
    "not_found_title": "Page not found",
    "not_found": "This page does not exist, or you may not see it.",
    "forbidden_title": "Not allowed",
    "forbidden": "You may not do this.",
    "csrf_title": "The form has expired",
    "csrf": "This form has expired or was not sent from this site. Go back, reload the "
            "page and try again.",
    "server_error_title": "Server error",
    "server_error": "The server could not complete the request; nothing was changed. "
                    "Please try again later.",
    "bad_request_title": "Bad request",
    "method_not_allowed": "This page does not support that action.",
    "back_home": "Back to the home page",
    "unavailable_title": "Service unavailable",
    "too_large": "What you sent is too large.",
}

CATALOGUES: Mapping[str, Mapping[str, str]] = {
    "zh": {**ZH, **RECORD_STRINGS["zh"], **SETUP_STRINGS["zh"]},
    "en": {**EN, **RECORD_STRINGS["en"], **SETUP_STRINGS["en"]}}
"""UI strings per language; both have the same keys (a test checks it). Other engineers'
pages add their keys to both dicts."""


def translator(lang: str) -> Translate:
    """``t(key, **values)`` for ``lang``: the catalogue's text with ``{name}`` filled in.
    An unknown key is a KeyError, so a missing translation fails the page's test."""
    catalogue = CATALOGUES[lang if lang in CATALOGUES else DEFAULT_LANG]

    def t(key: str, **values: Any) -> str:
        text = catalogue[key]
        return text.format(**values) if values else text

    return t


def label(value: Mapping[str, str] | str | None, lang: str) -> str:
    """A metadata label (an i18n map, or one text for every language) in ``lang``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return label_text(value, lang)


def language_from_header(header: str) -> str | None:
    """The first of our languages ``Accept-Language`` names, by its weight (None: none)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else None


def language(request: Request) -> str:
    """The request's language: the ``lang`` cookie, else Accept-Language, else Chinese."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    return language_from_header(request.headers.get("accept-language", "")) or DEFAULT_LANG
