"""The templates obey the Content-Security-Policy: no inline script or style."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from hulian.runtime.ui.templating import TEMPLATE_DIR, environment

TEMPLATES = sorted(TEMPLATE_DIR.glob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_inline_script_or_style(path):
    text = path.read_text()
    assert not re.search(r"\sstyle\s*=", text, re.IGNORECASE)
    assert not re.search(r"<style", text, re.IGNORECASE)
    assert not re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE)      # onclick=...
    assert not re.search(r"javascript:", text, re.IGNORECASE)
    for script in re.findall(r"<script[^>]*>", text, re.IGNORECASE):
        assert "src=" in script, script


def test_values_are_escaped():
    template = environment.from_string("<p title='{{ v }}'>{{ v }}</p>")
    out = template.render(v="<script>alert('x')</script>")
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in out
    assert template.render(v=Markup("<b>trusted</b>")).count("<b>") == 2
