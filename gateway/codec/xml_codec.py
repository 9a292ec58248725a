"""``encode`` / ``decode`` / ``decode_tree``: model <-> XML for every (berichttype, versie) in the catalogue.

Encoding writes the message by hand, as text that lxml parses once (see :mod:`gateway.codec.xmlio` for
why), then validates the result against the catalogue's cached compiled XSD before returning it:
output is always XSD-valid, or an :class:`EncodeError` says why not. Output is UTF-8
with an XML declaration, deterministic (byte-identical for equal input) and not pretty-printed unless
asked.

Decoding validates first (hardened parse, XSD, content checks) and raises :class:`DecodeError` with the
problems; :func:`decode_tree` maps a tree the caller has already validated (the inbound poller).
"""

from __future__ import annotations

from decimal import InvalidOperation

from lxml import etree

# The mapper modules register themselves in the registry when imported.
from gateway.codec import (  # noqa: F401
    messages_kennisgeving,
    messages_saldo,
    messages_status,
    messages_voorstel,
    nul_aanbod,
)
from gateway.codec.errors import DecodeError, EncodeError
from gateway.codec.parts import read_header, write_header
from gateway.codec.profile import VersionProfile, profile_for
from gateway.codec.registry import REGISTRY, MessageCodec
from gateway.codec.xmlio import In, Out, tree_of
from gateway.model.bericht import Bericht
from gateway.model.berichttype import Berichttype
from gateway.model.enums import NulAanbodCodering
from gateway.model.fieldtype import ModelError, fields_checked
from gateway.xml.catalogue import Catalogue, CatalogueEntry, default_catalogue
from gateway.xml.errors import Problem
from gateway.xml.parsing import DEFAULT_LIMITS, ParseLimits
from gateway.xml.schema_errors import problems_from_log
from gateway.xml.validate import validate_document


def encode(
    bericht: Bericht,
    versie: str = "2.0",
    nul_aanbod_codering: NulAanbodCodering | None = None,
    *,
    pretty: bool = False,
    catalogue: Catalogue | None = None,
) -> bytes:
    """The message as XML in ``versie`` for a counterpart whose nul-aanbod goes as ``nul_aanbod_codering``
    (:func:`gateway.codec.nul_aanbod.codering`; None: SA exactly when the version has it)."""
    profile = profile_for(versie)
    codering = nul_aanbod_codering or nul_aanbod.codering(versie, kent_sa=True)
    catalogue = catalogue or default_catalogue()
    codec = REGISTRY.get(bericht.berichttype)
    if codec is None or not isinstance(bericht, codec.model):
        raise EncodeError(f"no codec for {type(bericht).__name__}")
    try:
        entry = catalogue.lookup(bericht.berichttype.value, versie)
    except KeyError:
        raise EncodeError(f"the catalogue has no {bericht.berichttype.value} for version {versie}") from None
    schema = catalogue.schema(entry)
    out = Out(entry.namespace)
    _write(out, codec, bericht, profile, codering, entry)
    text = out.text()
    root = tree_of(text)
    if not schema.validate(root):
        problems = problems_from_log(schema.error_log, root.getroottree())
        raise EncodeError(
            f"the encoded {entry.root} {entry.versie} is not valid against its XSD: {problems[0]}",
            problems=problems,
        )
    data = None if pretty else out.as_bytes(text)
    return data or etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)


def _write(
    out: Out,
    codec: MessageCodec,
    bericht: Bericht,
    profile: VersionProfile,
    codering: NulAanbodCodering,
    entry: CatalogueEntry,
) -> None:
    root = out.root(entry.root, entry.namespace)
    write_header(out, root, bericht.berichtheader, entry)
    codec.write(out, root, bericht, profile, codering)


def decode(
    data: bytes, *, catalogue: Catalogue | None = None, limits: ParseLimits = DEFAULT_LIMITS
) -> Bericht:
    """Validate untrusted bytes and map them onto the model; :class:`DecodeError` lists every problem."""
    report = validate_document(data, catalogue=catalogue, limits=limits)
    if not report.ok or report.tree is None or report.entry is None:
        raise DecodeError(report.problems)
    return decode_tree(report.tree, report.entry)


def decode_tree(tree: etree._ElementTree | etree._Element, entry: CatalogueEntry) -> Bericht:
    """Map a tree that has passed :func:`gateway.xml.validate.validate_tree` for ``entry``.

    The value checks of the model are not repeated (the XSD has made them); the cross-field invariants
    run. Never pass a tree that has not been validated: use :func:`decode` for untrusted bytes.
    """
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    codec = REGISTRY[Berichttype(entry.berichttype)]
    profile = profile_for(entry.versie)
    inp = In(entry.namespace)
    try:
        with fields_checked():
            kids = inp.kids(root)
            header = read_header(inp, kids.one("Berichtheader"))
            return codec.read(inp, kids, header, profile)
    except ModelError as exc:
        raise DecodeError(
            [Problem(code="model-invariant", message=exc.reason, path=exc.field, line=root.sourceline)]
        ) from None
    except (ValueError, KeyError, IndexError, InvalidOperation) as exc:
        raise DecodeError(
            [
                Problem(
                    code="not-decodable",
                    message=f"the {entry.root} {entry.versie} cannot be mapped ({type(exc).__name__}); "
                    "was it validated?",
                    line=root.sourceline,
                )
            ]
        ) from None


def registered_types() -> frozenset[Berichttype]:
    return frozenset(REGISTRY)
