"""``crmkit plugin new NAME``: a working, installable plugin package to start from.

The files are Jinja templates under ``templates/`` (delimiters ``[= =]`` and ``[% %]``, so the
plugin's own Jinja templates pass through untouched); ``__package__`` and ``__name__`` in their
paths become ``crmkit_<name>`` and ``<name>``. What can't be a template is made by crmkit's own
machinery, so it is real: the first migration by autogenerating the plugin's lineage
(crmkit.migrate), the catalog by extracting the plugin's strings (crmkit.plugin_translations).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import keyword
import re
import sys
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from crmkit import plugin_translations
from crmkit.migrate import lineage_of, revision
from crmkit.plugins import BUILTIN_PLUGINS, builtin_plugins, module_plugin

TEMPLATES = Path(__file__).parent / "templates"
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The scaffold's own words in the languages crmkit speaks; English msgstrs are the msgids.
TRANSLATIONS = {
    "ru": {
        "Not started": "Не начато",
        "In progress": "В работе",
        "Done": "Готово",
        "Title": "Название",
        "Status": "Статус",
        "Notes": "Заметки",
        "Item": "Запись",
        "Items": "Записи",
        "Age": "Давность",
        "Added today.": "Добавлено сегодня.",
        "Added %(num)d day ago.": [
            "Добавлено %(num)d день назад.",
            "Добавлено %(num)d дня назад.",
            "Добавлено %(num)d дней назад.",
        ],
    },
    "kk": {
        "Not started": "Басталмаған",
        "In progress": "Орындалуда",
        "Done": "Дайын",
        "Title": "Атауы",
        "Status": "Мәртебесі",
        "Notes": "Ескертпелер",
        "Item": "Жазба",
        "Items": "Жазбалар",
        "Age": "Мерзімі",
        "Added today.": "Бүгін қосылды.",
        "Added %(num)d day ago.": ["%(num)d күн бұрын қосылды.", "%(num)d күн бұрын қосылды."],
    },
}


class ScaffoldError(ValueError):
    """The name is not usable or the folder is taken; the message says which."""


def plural(word: str) -> str:
    """English plural of a snake_case noun, good enough for a label the author will refine."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def names(name: str, entity: str) -> dict[str, str]:
    """Everything the templates call the plugin and its entity, from the two names given."""
    for value, what in ((name, "plugin"), (entity, "entity")):
        if not IDENTIFIER.match(value) or keyword.iskeyword(value) or value.endswith("_"):
            raise ScaffoldError(
                f"{what} name {value!r}: use lowercase letters, digits and underscores, starting with a letter"
            )
    if name in {path.split(".")[-2] for path in BUILTIN_PLUGINS}:
        raise ScaffoldError(f"plugin name {name!r} is taken by a built-in plugin")
    entities = plural(entity)
    return {
        "name": name,
        "package": f"crmkit_{name}",
        "distribution": f"crmkit-{name.replace('_', '-')}",
        "entity": entity,
        "entities": entities,
        "entity_words": entity.replace("_", " "),
        "entity_title": entity.replace("_", " ").capitalize(),
        "entities_title": entities.replace("_", " ").capitalize(),
        "model": "".join(part.capitalize() for part in entity.split("_")),
        "constant": entity.upper(),
        "table": f"{name}_{entity}",
    }


def render(target: Path, values: dict[str, str]) -> list[Path]:
    """Write every template under ``target``; the paths written."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        variable_start_string="[=",
        variable_end_string="=]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        autoescape=False,
    )
    written = []
    for source in sorted(TEMPLATES.rglob("*.jinja")):
        relative = source.relative_to(TEMPLATES).as_posix()
        path = target / relative.removesuffix(".jinja").replace("__package__", values["package"]).replace(
            "__name__", values["name"]
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(env.get_template(relative).render(values), encoding="utf-8")
        written.append(path)
    return written


def first_migration(root: Path, package: str, message: str) -> Path:
    """Autogenerate the plugin's first migration into its lineage, as
    ``crmkit db revision --plugin NAME --autogenerate`` would, against an empty database."""
    if package in sys.modules:
        raise ScaffoldError(f"a package named {package!r} is already imported here")
    builtin_plugins()  # the core's tables, which the plugin's refer to (its owner is a core_user)
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(f"{package}.hooks")
        with tempfile.TemporaryDirectory() as folder:
            engine = create_engine(f"sqlite:///{Path(folder) / 'empty.sqlite3'}")
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # Alembic's "Generating ... done"
                    return revision(engine, lineage_of(module_plugin(module)), message, autogenerate=True)
            finally:
                engine.dispose()
    finally:
        sys.path.remove(str(root))
        forget(package)


def forget(package: str) -> None:
    """Unload the package and its tables, so this process could import another by that name."""
    gone = {name for name in sys.modules if name == package or name.startswith(package + ".")}
    for name in gone:
        del sys.modules[name]
    registry = SQLModel._sa_registry
    for mapper in list(registry.mappers):
        if mapper.class_.__module__ in gone:
            for table in mapper.tables:
                SQLModel.metadata.remove(table)
            registry._dispose_cls(mapper.class_)
    importlib.invalidate_caches()


def catalog(package: Path) -> list[plugin_translations.Counts]:
    """Extract the plugin's strings, create ru, kk and en, fill the scaffold's words, compile."""
    plugin_translations.update(package)
    for language in plugin_translations.LANGUAGES:
        words = TRANSLATIONS.get(language)
        if words is None:  # the source language: each msgstr is its msgid
            template = plugin_translations.template_of(package)
            words = {m.id[0] if m.pluralizable else m.id: list(m.id) if m.pluralizable else m.id
                     for m in plugin_translations.read_catalog(template) if m.id}
        plugin_translations.translate(package, language, words)
    return plugin_translations.compile_all(package)


def create(name: str, target: Path, entity: str = "item") -> tuple[Path, list[plugin_translations.Counts]]:
    """Write the plugin ``name`` into ``target`` (which must be missing or empty); its folder and
    how complete its catalogs are (an entity other than "item" brings labels to translate)."""
    values = names(name, entity)
    target = target.resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty")
    target.mkdir(parents=True, exist_ok=True)
    render(target, values)
    first_migration(target, values["package"], f"{values['table']} table")
    return target, catalog(target / values["package"])
