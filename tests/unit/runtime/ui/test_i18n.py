from __future__ import annotations

import re

import pytest

from hulian.runtime.ui.i18n import CATALOGUES, language_from_header, translator
from hulian.runtime.ui.templating import TEMPLATE_DIR


def test_both_languages_have_the_same_keys():
    assert set(CATALOGUES["zh"]) == set(CATALOGUES["en"])
    for lang, catalogue in CATALOGUES.items():
        assert all(text.strip() for text in catalogue.values()), lang


def test_every_key_a_template_uses_is_translated():
    used = set()
    for path in TEMPLATE_DIR.glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_]+)["']""", path.read_text()))
    assert used
    assert used - set(CATALOGUES["en"]) == set()


@pytest.mark.parametrize(("header", "expected"), [
    ("en-US,en;q=0.9", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("fr-FR,en;q=0.5,zh;q=0.9", "zh"),
    ("fr-FR", None),
    ("en;q=0, zh;q=0.1", "zh"),
    ("en;q=abc", None),
    ("", None),
])
def test_the_language_comes_from_accept_language_by_weight(header, expected):
    assert language_from_header(header) == expected


def test_the_button_labels_of_the_url_map():
    zh, en = translator("zh"), translator("en")
    for key, zh_text, en_text in [("save", "保存", "Save"), ("new", "新建", "New"),
                                  ("edit", "编辑", "Edit"), ("delete", "删除", "Delete"),
                                  ("cancel", "取消", "Cancel"), ("search", "搜索", "Search"),
                                  ("submit_for_approval", "提交审批", "Submit for approval"),
                                  ("approve", "同意", "Approve"), ("reject", "拒绝", "Reject"),
                                  ("recall", "撤回", "Recall"), ("logout", "登出", "Log out")]:
        assert (zh(key), en(key)) == (zh_text, en_text)
    assert en("signed_in_as", name="Mei") == "Signed in as Mei"
    with pytest.raises(KeyError):
        en("no_such_key")
