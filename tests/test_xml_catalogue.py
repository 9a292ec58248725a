from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gateway.xml.catalogue import Catalogue, CatalogueError, default_catalogue
from gateway.xml.validate import validate_document
from tests.conftest import ROOT

OFFICIAL_XSD = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:example:toolkit:2.1"
           xmlns="urn:example:toolkit:2.1" elementFormDefault="qualified">
  <xs:element name="Saldoverzoek">
    <xs:complexType><xs:sequence><xs:element name="Kenmerk" type="xs:string"/></xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
"""


def test_lookups() -> None:
    catalogue = default_catalogue()
    entry = catalogue.lookup("GeenMedewerking", "1.1")
    assert entry.root == "KlantOnbekend"
    assert catalogue.for_document(entry.namespace, "KlantOnbekend") is entry
    assert catalogue.for_document(entry.namespace, "GeenMedewerking") is None
    with pytest.raises(KeyError):
        catalogue.lookup("Aanmaning", "2.0")


def test_schemas_are_compiled_once() -> None:
    catalogue = default_catalogue()
    entry = catalogue.lookup("Betaalvoorstel", "2.0")
    assert catalogue.schema(entry) is catalogue.schema(entry)


def test_official_toolkit_xsds_are_added_by_entries_not_code(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    (schemas / "toolkit").mkdir()
    (schemas / "toolkit" / "Saldoverzoek.xsd").write_text(OFFICIAL_XSD)
    with (schemas / "catalogue.toml").open("a") as catalogue_file:
        catalogue_file.write(
            '\n[[bericht]]\nberichttype = "Saldoverzoek"\nversie = "2.1"\nroot = "Saldoverzoek"\n'
            'namespace = "urn:example:toolkit:2.1"\nxsd = "toolkit/Saldoverzoek.xsd"\n'
        )
    catalogue = Catalogue.load(schemas / "catalogue.toml")
    good = b'<Saldoverzoek xmlns="urn:example:toolkit:2.1"><Kenmerk>x</Kenmerk></Saldoverzoek>'
    bad = b'<Saldoverzoek xmlns="urn:example:toolkit:2.1"><Other/></Saldoverzoek>'
    report = validate_document(good, catalogue=catalogue)
    assert report.ok and report.entry.versie == "2.1"
    assert [p.code for p in validate_document(bad, catalogue=catalogue).problems] == ["unexpected-element"]


def test_broken_catalogue_is_reported_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text(
        '[[bericht]]\nberichttype = "X"\nversie = "1"\nroot = "X"\nnamespace = "urn:x"\nxsd = "no.xsd"\n'
    )
    with pytest.raises(CatalogueError, match="XSD not found"):
        Catalogue.load(path)
    path.write_text("[[bericht]]\nberichttype = 1\n")
    with pytest.raises(CatalogueError, match="lacks"):
        Catalogue.load(path)
