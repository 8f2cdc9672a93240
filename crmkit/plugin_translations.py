"""A plugin's own catalog, run through Babel without its arguments: ``crmkit plugin translations``.

The catalog lives in ``<package>/translations`` (where ``crmkit.plugin_i18n.Messages`` reads it):
``messages.pot`` extracted from the package's Python files and ``templates/``, and one
``<lang>/LC_MESSAGES/messages.po`` and ``.mo`` per language crmkit speaks. These functions do what
``pybabel extract``, ``init``, ``update`` and ``compile`` do, through Babel's own API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.util import LOCALTZ

from crmkit import config
from crmkit.plugin_i18n import CATALOG_FOLDER, DOMAIN

LANGUAGES = tuple(config.DEFAULTS["LANGUAGES"])
# Messages(...).gettext and friends are found by their names; these are the lazy ones.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
# Used when the plugin has no babel.cfg of its own (paths relative to the package).
METHOD_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS_MAP = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "silent": "false", "encoding": "utf-8"}}
LINE_WIDTH = 100


class CatalogError(RuntimeError):
    """The folder is not a plugin package, or a catalog can't be read or written."""


@dataclass(frozen=True)
class Counts:
    """What a language's catalog holds: messages, translated ones and unchecked guesses."""

    language: str
    total: int
    translated: int
    fuzzy: int

    @property
    def untranslated(self) -> int:
        return self.total - self.translated


def plugin_package(path: Path) -> Path:
    """The plugin's package folder: ``path`` itself, or the one package with a ``hooks.py``
    in ``path`` or ``path/src`` (a project folder as ``crmkit plugin new`` writes it)."""
    path = path.resolve()
    if (path / "__init__.py").is_file():
        return path
    found = sorted(p.parent for base in (path, path / "src") for p in base.glob("*/hooks.py"))
    found = [p for p in found if (p / "__init__.py").is_file()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise CatalogError(f"{path} is not a plugin: no package (a folder with __init__.py and hooks.py) in it")
    raise CatalogError(f"{path} holds several plugin packages ({', '.join(p.name for p in found)}); name one")


def catalogs_of(package: Path) -> Path:
    return package / CATALOG_FOLDER


def template_of(package: Path) -> Path:
    return catalogs_of(package) / f"{DOMAIN}.pot"


def po_of(package: Path, language: str) -> Path:
    return catalogs_of(package) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _mapping(package: Path):
    own = package / "babel.cfg"
    if own.is_file():
        with open(own, encoding="utf-8") as file:
            return parse_mapping_cfg(file, str(own))
    return METHOD_MAP, OPTIONS_MAP


def extract(package: Path) -> tuple[Path, int]:
    """Write ``translations/messages.pot`` from the package's sources; the path and the count."""
    method_map, options_map = _mapping(package)
    catalog = Catalog(project=package.name, charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(package), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    path = template_of(package)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        write_po(file, catalog, width=LINE_WIDTH, sort_by_file=True)
    return path, len(catalog)


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    try:
        with open(path, "rb") as file:
            return read_po(file, locale=language)
    except (OSError, ValueError) as error:
        raise CatalogError(f"cannot read {path}: {error}") from error


def update(package: Path, languages=LANGUAGES) -> list[tuple[str, bool]]:
    """Extract the template afresh, then merge it into each language's catalog, creating the
    catalog (with the language's plural rule) when missing. ``(language, created)`` each."""
    extract(package)
    template = read_catalog(template_of(package))
    done = []
    for language in languages:
        path = po_of(package, language)
        created = not path.is_file()
        if created:
            catalog = read_catalog(template_of(package), language)
            catalog.revision_date = datetime.now(LOCALTZ)
            catalog.fuzzy = False
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            catalog = read_catalog(path, language)
            catalog.update(template)
        with open(path, "wb") as file:
            write_po(file, catalog, width=LINE_WIDTH, ignore_obsolete=True)
        done.append((language, created))
    return done


def translate(package: Path, language: str, translations: dict) -> None:
    """Fill the given msgstrs (``{msgid: str or [plural forms]}``) into a language's catalog."""
    path = po_of(package, language)
    catalog = read_catalog(path, language)
    for message in catalog:
        if message.id and (found := translations.get(message.id[0] if message.pluralizable else message.id)):
            message.string = tuple(found) if message.pluralizable else found
            message.flags.discard("fuzzy")
    with open(path, "wb") as file:
        write_po(file, catalog, width=LINE_WIDTH, ignore_obsolete=True)


def compile_all(package: Path) -> list[Counts]:
    """Compile every language's ``.po`` to ``.mo``, leaving out fuzzy entries as pybabel does."""
    counts = []
    for po in sorted(catalogs_of(package).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po.parent.parent.name
        catalog = read_catalog(po, language)
        problems = [f"{m.id}: {error}" for m, errors in catalog.check() for error in errors]
        if problems:
            raise CatalogError(f"{po}: " + "; ".join(problems))
        with open(po.with_suffix(".mo"), "wb") as file:
            write_mo(file, catalog, use_fuzzy=False)
        messages = [m for m in catalog if m.id]
        translated = sum(1 for m in messages if m.string and all(m.string if m.pluralizable else [m.string]) and not m.fuzzy)
        counts.append(Counts(language, len(messages), translated, sum(1 for m in messages if m.fuzzy)))
    if not counts:
        raise CatalogError(f"no catalogs in {catalogs_of(package)}; run `crmkit plugin translations update` first")
    return counts
