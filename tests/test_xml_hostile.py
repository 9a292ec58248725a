"""Hostile input is refused with a clear error, quickly (bounded by a per-test timeout)."""

from __future__ import annotations

import pytest
from lxml import etree

from gateway.xml.errors import XmlInputError
from gateway.xml.parsing import DEFAULT_LIMITS, ParseLimits, _walk_shape, parse_xml
from gateway.xml.validate import validate_document

NS = b'xmlns="urn:skp-gateway:schuldregeling:2.0"'


def _code(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> str:
    with pytest.raises(XmlInputError) as caught:
        parse_xml(data, limits)
    assert str(caught.value)  # a message a person can read
    return caught.value.problem.code


@pytest.mark.timeout(5)
def test_xxe_is_refused_without_reading_the_file(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    data = (f'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>').encode()
    assert _code(data) == "doctype-refused"
    report = validate_document(data)
    assert "TOPSECRET" not in str([p.to_dict() for p in report.problems])


@pytest.mark.timeout(5)
def test_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 12))
    data = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{entities}]><r>&l11;</r>'.encode()
    assert _code(data) == "doctype-refused"


@pytest.mark.timeout(5)
def test_external_dtd_is_never_loaded() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://127.0.0.1:9/x.dtd"><a/>'
    assert _code(data) == "doctype-refused"


@pytest.mark.timeout(5)
def test_doctype_after_comments_is_refused() -> None:
    data = b'<?xml version="1.0"?><!-- hi --><?pi x?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    assert _code(data) == "doctype-refused"


@pytest.mark.timeout(5)
def test_undeclared_entity_is_refused() -> None:
    assert _code(b"<a " + NS + b">&undeclared;</a>") == "entity-refused"


@pytest.mark.timeout(10)
def test_100_mb_body_is_refused_before_parsing() -> None:
    data = b"<a " + NS + b">" + b"x" * (100 * 1024 * 1024) + b"</a>"
    assert _code(data) == "too-large"


@pytest.mark.timeout(5)
def test_10000_deep_nesting_is_refused() -> None:
    data = b"<a>" * 10_000 + b"</a>" * 10_000
    assert _code(data) == "too-deep"


@pytest.mark.timeout(5)
def test_configured_depth_limit_applies_below_libxml2s_own() -> None:
    data = b"<a>" * 30 + b"</a>" * 30
    assert _code(data, ParseLimits(max_depth=20)) == "too-deep"
    parse_xml(data, ParseLimits(max_depth=40))


@pytest.mark.timeout(5)
def test_element_count_limit() -> None:
    data = b"<a>" + b"<b/>" * 2000 + b"</a>"
    assert _code(data, ParseLimits(max_elements=1000)) == "too-many-elements"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty-input"),
        (b"   \n ", "empty-input"),
        (b"<a " + NS + b"><b>", "truncated"),
        (b"not xml at all", "not-xml"),
        ("<a>é</a>".encode("latin-1"), "not-utf8"),
        ("<a/>".encode("utf-16"), "not-utf8"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><a/>', "not-utf8"),
        (b"<a></b>", "not-well-formed"),
    ],
)
def test_broken_input_gives_a_clear_error_not_a_traceback(data: bytes, code: str) -> None:
    report = validate_document(data)
    assert [p.code for p in report.problems] == [code]


def _walked(data: bytes, limits: ParseLimits) -> str | None:
    """What the full walk of the tree says (the reference for the fast checks in C)."""
    root = etree.fromstring(data)
    try:
        _walk_shape(root, limits)
    except XmlInputError as exc:
        return exc.problem.code
    return None


@pytest.mark.parametrize("leaf", [b"", b"<c/>", b"<!-- c -->", b"<?pi x?>", b"text", b"<![CDATA[x]]>"])
@pytest.mark.parametrize("nesting", [1, 2, 3, 5])
def test_fast_shape_checks_agree_with_the_full_walk(leaf: bytes, nesting: int) -> None:
    data = b"<a>" * nesting + leaf + b"<b/>" + b"</a>" * nesting
    for max_depth in range(1, 8):
        for max_elements in (1, 2, 3, 5, 8, 100):
            limits = ParseLimits(max_depth=max_depth, max_elements=max_elements)
            try:
                parse_xml(data, limits)
                got = None
            except XmlInputError as exc:
                got = exc.problem.code
            assert got == _walked(data, limits), (data, limits)


def test_smallest_nodes_cannot_exceed_the_count_bound() -> None:
    """Each node takes at least 4 bytes (``<b/>``), which lets the count be skipped for small input."""
    for data in (b"<a>" + b"<b/>" * 50 + b"</a>", b"<a>" + b"<?b?>" * 50 + b"</a>", b"<a/>"):
        assert sum(1 for _ in etree.fromstring(data).iter()) <= len(data) // 4
