"""Invoicing: billing periods, a ledger of what was invoiced, invoices and bill verification.

- ``periods``: ``--period 2020-03`` / ``2020-Q1`` / ``--from/--to`` as a half-open period.
- ``invoice``: the invoice for a period, pure given the evaluation and the ledger's prior
  state: new lines plus corrections of earlier invoices.
- ``ledger``: the SQLite ledger (schema version, migrations, one transaction per invoice);
  ``ledgerfile``: what makes a file a ledger, creating and marking one; ``stored``: its rows
  read back strictly; ``consistency``: documents, hash chain, numbering and rows held against
  each other; ``audit``: ``ledger check`` and ``ledger export``.
- ``render``: canonical JSON, spreadsheet-safe CSV, printable bilingual HTML.
- ``bill``: read a provider's bill (CSV or JSON) into lines with their rows.
- ``verify``: class each bill line against the computed invoice.
- ``run``: the two workflows end to end (``issue_invoice``, ``verify_bill``).

The rules are described in docs/invoicing.md.
"""
