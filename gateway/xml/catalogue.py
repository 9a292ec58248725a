"""The schema catalogue: (message type, version) -> XSD, namespace, root element.

Loaded once from ``schemas/catalogue.toml``; compiled schemas are cached per entry. An incoming
document is recognised by its namespace and root element. Official toolkit XSDs are registered
by adding entries to the TOML file, not by changing code.
"""

from __future__ import annotations

import os
import threading
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from gateway.xml.parsing import TextLimits
from gateway.xml.textlimits import text_limits

SCHEMAS_DIR = Path(os.environ.get("SKPGW_SCHEMAS", Path(__file__).resolve().parents[2] / "schemas"))
CATALOGUE_FILE = "catalogue.toml"
_REQUIRED_KEYS = ("berichttype", "versie", "root", "namespace", "xsd")


class CatalogueError(Exception):
    """The catalogue file itself is wrong (a deployment problem, not a message problem)."""


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    berichttype: str  # version-free name (gateway.model.berichttype.Berichttype values)
    versie: str
    root: str
    namespace: str
    xsd: Path

    @property
    def qname(self) -> str:
        return f"{{{self.namespace}}}{self.root}"


@dataclass
class Catalogue:
    entries: tuple[CatalogueEntry, ...]
    _by_qname: dict[str, CatalogueEntry] = field(init=False, repr=False)
    _by_type: dict[tuple[str, str], CatalogueEntry] = field(init=False, repr=False)
    _schemas: dict[CatalogueEntry, etree.XMLSchema] = field(init=False, repr=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)
    _text_limits: TextLimits | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._by_qname = {}
        self._by_type = {}
        for entry in self.entries:
            for index, key in (
                (self._by_qname, entry.qname),
                (self._by_type, (entry.berichttype, entry.versie)),
            ):
                if key in index:
                    raise CatalogueError(f"duplicate catalogue entry for {key}")
                index[key] = entry  # type: ignore[index]

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CatalogueError(f"{path}: cannot read the schema catalogue: {exc}") from exc
        entries = []
        for number, raw in enumerate(data.get("bericht", []), start=1):
            missing = [k for k in _REQUIRED_KEYS if not isinstance(raw.get(k), str)]
            if missing:
                raise CatalogueError(f"{path}: entry {number} lacks {', '.join(missing)}")
            xsd = (path.parent / raw["xsd"]).resolve()
            if not xsd.is_file():
                raise CatalogueError(f"{path}: entry {number}: XSD not found: {xsd}")
            entries.append(
                CatalogueEntry(raw["berichttype"], raw["versie"], raw["root"], raw["namespace"], xsd)
            )
        if not entries:
            raise CatalogueError(f"{path}: no [[bericht]] entries")
        return cls(tuple(entries))

    # -- look-ups ---------------------------------------------------------------------------
    def for_document(self, namespace: str | None, root: str) -> CatalogueEntry | None:
        return self._by_qname.get(f"{{{namespace}}}{root}" if namespace else root)

    def lookup(self, berichttype: str, versie: str) -> CatalogueEntry:
        try:
            return self._by_type[(berichttype, versie)]
        except KeyError:
            raise KeyError(f"no schema for {berichttype} version {versie}") from None

    @property
    def namespaces(self) -> dict[str, str]:
        """namespace -> version."""
        return {e.namespace: e.versie for e in self.entries}

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(sorted({e.versie for e in self.entries}, reverse=True))

    def roots(self, namespace: str) -> tuple[str, ...]:
        return tuple(e.root for e in self.entries if e.namespace == namespace)

    # -- compiled schemas -------------------------------------------------------------------
    def schema(self, entry: CatalogueEntry) -> etree.XMLSchema:
        """The compiled XSD of an entry; compiled on first use, then cached (thread-safe)."""
        compiled = self._schemas.get(entry)
        if compiled is None:
            with self._lock:
                compiled = self._schemas.get(entry)
                if compiled is None:
                    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
                    try:
                        compiled = etree.XMLSchema(etree.parse(str(entry.xsd), parser))
                    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
                        raise CatalogueError(f"{entry.xsd}: the XSD does not compile: {exc}") from exc
                    self._schemas[entry] = compiled
        return compiled

    @property
    def text_limits(self) -> TextLimits:
        """The longest value any of the catalogue's XSDs allows (read from them once)."""
        with self._lock:
            if self._text_limits is None:
                self._text_limits = text_limits(e.xsd for e in self.entries)
            return self._text_limits

    def compile_all(self) -> None:
        for entry in self.entries:
            self.schema(entry)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The catalogue shipped in ``schemas/`` (or ``$SKPGW_SCHEMAS``), loaded once per process."""
    return Catalogue.load(SCHEMAS_DIR / CATALOGUE_FILE)
