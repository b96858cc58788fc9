"""``branding`` in pack.json: checked by the schema, kept by snapshots."""

from __future__ import annotations

import copy

import pytest

from hulian.metadata import MetadataError
from hulian.metadata.loader import load_documents, load_pack
from hulian.metadata.snapshot import snapshot_documents
from tests.conftest import EXAMPLE_CRM


@pytest.fixture(scope="module")
def crm_documents():
    return dict(load_pack(EXAMPLE_CRM).documents)


def _with_branding(documents, branding):
    changed = copy.deepcopy(dict(documents))
    if branding is None:
        changed["pack.json"].pop("branding", None)
    else:
        changed["pack.json"]["branding"] = branding
    return changed


def test_the_example_declares_a_name_a_logo_and_a_colour(crm_documents):
    pack = load_documents(crm_documents)
    assert pack.branding["name"] == {"zh": "艾克米订货", "en": "Acme Ordering"}
    assert pack.branding["primary_color"] == "#c2410c"
    assert pack.branding["logo"].startswith("data:image/svg+xml;base64,")
    assert load_documents(_with_branding(crm_documents, None)).branding is None


def test_a_snapshot_keeps_the_branding(crm_documents):
    pack = load_documents(crm_documents)
    again = load_documents(snapshot_documents(pack))
    assert again.branding == pack.branding


@pytest.mark.parametrize(("branding", "pointer"), [
    ({"name": {"zh": "名"}}, "/branding/name"),                               # en missing
    ({"primary_color": "#abc"}, "/branding"),                                # name missing
    ({"name": {"zh": "名", "en": "N"}, "primary_color": "red"}, "/branding/primary_color"),
    ({"name": {"zh": "名", "en": "N"}, "primary_color": "#12345g"}, "/branding/primary_color"),
    ({"name": {"zh": "名", "en": "N"}, "logo": "https://cdn.example/logo.png"},
     "/branding/logo"),
    ({"name": {"zh": "名", "en": "N"}, "logo": "data:text/html;base64,PHNjcmlwdD4="},
     "/branding/logo"),
    ({"name": {"zh": "名", "en": "N"}, "font": "Comic Sans"}, "/branding"),
])
def test_bad_branding_is_a_problem_at_its_key(crm_documents, branding, pointer):
    with pytest.raises(MetadataError) as caught:
        load_documents(_with_branding(crm_documents, branding))
    places = [(p.file, p.pointer) for p in caught.value.problems]
    assert any(file.endswith("pack.json") and pointer in str(ptr) for file, ptr in places), \
        places


def test_the_overlays_branding_wins_over_the_packs():
    from hulian.metadata import Layers, merge
    from tests.unit.metadata.layered import account, label, overlay, pack

    vendor = pack(account(), branding={"name": label("Vendor"), "primary_color": "#111111"})
    tenant_overlay = overlay()
    assert merge(Layers((vendor,), tenant_overlay)).pack.branding["name"]["en"] == "Vendor"
    documents = dict(tenant_overlay.documents)
    documents["pack.json"] = {**documents["pack.json"],
                              "branding": {"name": label("Acme"), "primary_color": "#222222"}}
    branded = load_documents(documents)
    effective = merge(Layers((vendor,), branded)).pack
    assert effective.branding["name"]["en"] == "Acme"
    assert effective.branding["primary_color"] == "#222222"
    assert merge(Layers((pack(account()),))).pack.branding is None
