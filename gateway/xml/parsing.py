"""Hardened XML parsing: the only way bytes from outside become an lxml tree.

Every parser is built explicitly (never lxml's defaults): no DTD loading, no entity resolution,
no network, no huge trees. A DOCTYPE is refused outright — neither our messages nor SOAP
(which forbids DTDs) ever need one, and refusing it stops XXE and entity-expansion attacks
before libxml2 sees them. Size and depth limits are checked before and after parsing.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from gateway.xml.errors import Problem, XmlInputError
from gateway.xml.schema_errors import element_path


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Limits for one document; the defaults fit every message of the standard with room to spare.

    ``long_text``: a text node may be longer than libxml2's own limit of 10,000,000 bytes (a hub
    answer carries whole messages as base64 text; ``max_bytes`` still bounds the whole)."""

    max_bytes: int = 10 * 1024 * 1024
    max_depth: int = 64
    max_elements: int = 500_000
    long_text: bool = False


DEFAULT_LIMITS = ParseLimits()


@dataclass(frozen=True, slots=True)
class TextLimits:
    """The longest text any value may have (:mod:`gateway.xml.textlimits` reads it from the XSDs),
    and the elements whose type has no such bound (binary content): only ``max_bytes`` limits those."""

    max_chars: int
    unbounded_elements: frozenset[str] = frozenset()


# A DOCTYPE may only appear in the prolog, which lies within the first bytes of any document we accept.
# Refusing "<!DOCTYPE" / "<!ENTITY" (any case) anywhere in the first 4 KiB covers it with two substring
# searches; a regex walking the prolog cost ~20 µs per message (it backtracks over the whole head).
_HEAD_BYTES = 4096
_ENCODING_DECL = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")

_local = threading.local()


def thread_parser(*, huge_tree: bool = False) -> etree.XMLParser:
    """This thread's hardened lxml parser (no entities, DTD or network), built once per thread and
    option (lxml parsers are not thread-safe; building one costs ~10 µs). ``huge_tree`` lifts libxml2's
    hard-coded limits: for text we wrote ourselves (:class:`gateway.codec.xmlio.Out`), and for input
    from outside only with ``ParseLimits.long_text`` (a DOCTYPE is refused before parsing, and our own
    size, depth and element limits are checked as always)."""
    key = "huge_parser" if huge_tree else "parser"
    parser = getattr(_local, key, None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=huge_tree,
            remove_blank_text=False,
            remove_comments=False,
            strip_cdata=False,
            collect_ids=False,
        )
        setattr(_local, key, parser)
    return parser


def _fail(code: str, message: str, **kw: object) -> XmlInputError:
    return XmlInputError(Problem(code=code, message=message, **kw))  # type: ignore[arg-type]


def check_bytes(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> None:
    """The checks that come before libxml2 sees the bytes."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_xml takes bytes")
    head = bytes(data[:_HEAD_BYTES])
    if len(data) == 0 or not head.strip():
        raise _fail("empty-input", "the input is empty")
    if len(data) > limits.max_bytes:
        raise _fail(
            "too-large",
            "the document is larger than the configured limit",
            expected=f"at most {limits.max_bytes} bytes",
            found=f"{len(data)} bytes",
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 1 and head[1:2] == b"\x00"):
        raise _fail("not-utf8", "the document is not UTF-8 encoded", expected="UTF-8", found="UTF-16")
    declared = _ENCODING_DECL.match(head)
    if declared and declared.group(1).decode("ascii").lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise _fail(
            "not-utf8",
            "the document declares an encoding other than UTF-8",
            expected="UTF-8",
            found=declared.group(1).decode("ascii"),
        )
    if b"!" not in head:  # one memchr: without a "!" there is no "<!doctype" or "<!entity" either
        return
    lowered = head.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise _fail("doctype-refused", "a DOCTYPE (DTD) is not allowed in messages")


def parse_xml(data: bytes, limits: ParseLimits = DEFAULT_LIMITS) -> etree._ElementTree:
    """Parse untrusted bytes into a tree, or raise :class:`XmlInputError` with a clear problem."""
    check_bytes(data, limits)
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = bytes(data[: exc.start]).count(b"\n") + 1
        raise _fail(
            "not-utf8",
            f"byte 0x{bytes(data)[exc.start]:02x} at offset {exc.start} is not valid UTF-8",
            line=line,
            expected="UTF-8",
        ) from None
    try:
        root = etree.fromstring(bytes(data), thread_parser(huge_tree=limits.long_text))
    except etree.XMLSyntaxError as exc:
        raise _syntax_problem(exc, last_line=bytes(data).rstrip().count(b"\n") + 1) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise _fail("doctype-refused", "a DOCTYPE (DTD) is not allowed in messages")
    _check_shape(root, limits, len(data))
    return tree


_SYNTAX_CODES = (  # first match wins; libxml2's messages are stable across versions
    ("premature end", "truncated"),
    ("end of data", "truncated"),
    ("couldn't find end of start tag", "truncated"),
    ("not defined", "entity-refused"),
    ("entity", "entity-refused"),
    ("excessive depth", "too-deep"),
    ("document is empty", "not-xml"),
    ("start tag expected", "not-xml"),
)


def _syntax_problem(exc: etree.XMLSyntaxError, last_line: int) -> XmlInputError:
    message = (exc.msg or str(exc)).strip()
    lowered = message.lower()
    code = next((c for needle, c in _SYNTAX_CODES if needle in lowered), "not-well-formed")
    if code == "not-well-formed" and exc.lineno is not None and exc.lineno >= last_line and last_line > 1:
        code = "truncated"  # the error sits on the last line: the document stops before it is complete
    if code == "truncated":
        return _fail(code, f"the document ends before it is complete ({message})", line=exc.lineno)
    return _fail(code, f"the document is not well-formed XML: {message}", line=exc.lineno)


# The fewest bytes a node that root.iter() yields can come from: an element "<a/>" (a comment takes
# 7, a processing instruction 5; entity references are refused): a document of at most
# 4 * max_elements bytes cannot exceed max_elements.
_MIN_NODE_BYTES = 4


@lru_cache(maxsize=8)
def _deeper_than(max_depth: int) -> etree.XPath:
    """Whether the tree holds a node (element, comment, PI) below ``max_depth`` levels (root = 1),
    evaluated by libxml2: the children of the root are level 2, each "*/" step one level more."""
    return etree.XPath("boolean(" + "*/" * (max_depth - 1) + "node()[not(self::text())])")


def _check_shape(root: etree._Element, limits: ParseLimits, size: int) -> None:
    """Depth and element-count limits (libxml2's own hard limits are far higher).

    Within the limits — every message we expect — two checks in C suffice; otherwise the walk
    below finds the first node, in document order, that breaks one, and says which."""
    if (
        size // _MIN_NODE_BYTES <= limits.max_elements
        and limits.max_depth >= 1
        and not _deeper_than(limits.max_depth)(root)
    ):
        return
    _walk_shape(root, limits)


def _walk_shape(root: etree._Element, limits: ParseLimits) -> None:
    count = 0
    depth_of: dict[etree._Element, int] = {root: 1}
    for element in root.iter():
        count += 1
        if count > limits.max_elements:
            raise _fail(
                "too-many-elements",
                "the document has more elements than the configured limit",
                expected=f"at most {limits.max_elements}",
            )
        parent = element.getparent()
        depth = depth_of[parent] + 1 if parent is not None else 1
        if depth > limits.max_depth:
            raise _fail(
                "too-deep",
                "the document nests deeper than the configured limit",
                line=element.sourceline,
                expected=f"at most {limits.max_depth} levels",
            )
        if len(element):
            depth_of[element] = depth


@lru_cache(maxsize=8)
def _long_texts(max_chars: int) -> etree.XPath:
    """Leaf elements whose value (their text, also when split by comments) is longer than
    ``max_chars``, and longer text nodes beside child elements; evaluated by libxml2."""
    n = int(max_chars)
    return etree.XPath(f"//*[not(*)][string-length() > {n}] | //*[*]/text()[string-length() > {n}]")


@lru_cache(maxsize=8)
def _long_run(max_chars: int) -> re.Pattern[bytes]:
    """More than ``max_chars`` bytes after a ">" without a "<": text cannot be longer than the bytes
    it is written in (the regex scans for its literal ">" at C speed: ~2 ms for 1.5 MB)."""
    return re.compile(rb">[^<]{%d}" % (int(max_chars) + 1))


def check_text_lengths(root: etree._Element, limits: TextLimits, data: bytes) -> None:
    """Refuse text longer than any value of the message standard may be, before the XSD step (whose
    pattern check costs ~43 bytes of memory per character). The raw bytes say in a few ms whether a
    document can hold such text at all: a long run without markup, or markup that can split one
    value into several text nodes (a comment, CDATA, a processing instruction after the XML
    declaration); only then libxml2 looks at the values."""
    start = data.find(b"?>", 0, 200) + 2 if data.startswith((b"<?xml", b"\xef\xbb\xbf<?xml")) else 0
    if _long_run(limits.max_chars).search(data) is None and not any(
        data.find(mark[1:], start) >= 0 and data.find(mark, start) >= 0  # one memchr first: fast
        for mark in (b"<!", b"<?")
    ):
        return
    for found in _long_texts(limits.max_chars)(root):
        if isinstance(found, etree._Element):
            element = found
        else:  # a text node: the element it is in (the parent of the element it follows, for a tail)
            element = found.getparent()
            if found.is_tail and element is not None:
                element = element.getparent()
        if element is None or etree.QName(element).localname in limits.unbounded_elements:
            continue
        length = len(found) if isinstance(found, str) else len("".join(element.itertext()))
        raise _fail(
            "text-too-long",
            "a value is longer than any value of the message standard may be",
            line=element.sourceline,
            path=element_path(element),
            expected=f"at most {limits.max_chars} characters",
            found=f"{length} characters",
        )
