"""Keep the translations current: extract every message, merge into each .po, compile .mo.

    python .ci/i18n/catalogs.py          # after changing or adding user-facing strings

does what `pybabel extract` + `pybabel update` + `pybabel compile` do (README,
Development), with settings that keep the files stable under git: no source locations,
sorted entries, no dates in the headers, new entries empty rather than fuzzy guesses.
Then translate every entry with an empty msgstr in src/glutewake/locale/*/LC_MESSAGES/
glutewake.po and run it again to compile. tests/test_i18n.py uses the same extraction.
"""

from __future__ import annotations

import io
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).parent))
from babel_extract import extract

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "glutewake" / "locale"
DOMAIN = "glutewake"
# Babel's usual keywords, and NC_ (glutewake.i18n): a marker with a context, like pgettext.
KEYWORDS = {**DEFAULT_KEYWORDS, "NC_": ((1, "c"), 2)}
# Header lines that change with every run or Babel version: left out, so diffs show text.
_VOLATILE = (
    '"POT-Creation-Date',
    '"PO-Revision-Date',
    '"Generated-By',
    '"Report-Msgid',
    '"Last-Translator',
)


def click_dir() -> Path:
    import click

    return Path(os.path.dirname(click.__file__))


def template() -> Catalog:
    """Every message in glutewake's sources and in click (whose words glutewake shows)."""
    catalog = Catalog(project="glutewake", fuzzy=False)
    for folder in (ROOT / "src", click_dir()):
        for filename, lineno, message, comments, context in extract_from_dir(
            folder,
            [("**.py", extract)],
            keywords=KEYWORDS,  # type: ignore[list-item]
        ):
            catalog.add(
                message, None, [(filename, lineno)], auto_comments=comments, context=context
            )
    return catalog


def po_files() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name)


def write(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, no_location=True, sort_output=True, ignore_obsolete=True, width=0)
    lines = buffer.getvalue().decode("utf-8").splitlines(keepends=True)
    dateless = [line for line in lines if not line.startswith(_VOLATILE)]
    path.write_text("".join(dateless), encoding="utf-8")


def compiled(catalog: Catalog) -> bytes:
    # Babel stamps the header with the time of reading; a fixed one keeps the .mo
    # byte-for-byte the same for the same .po (no churn, no binary conflicts in git).
    catalog.creation_date = catalog.revision_date = datetime(2000, 1, 1, tzinfo=timezone.utc)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def main() -> None:
    pot = template()
    for path in po_files():
        catalog = read(path)
        catalog.update(pot, no_fuzzy_matching=True, update_creation_date=False)
        write(path, catalog)
        missing = [m.id for m in catalog if m.id and not m.string]
        path.with_suffix(".mo").write_bytes(compiled(read(path)))
        print(f"{path.relative_to(ROOT)}: {len(missing)} to translate")


if __name__ == "__main__":
    main()
