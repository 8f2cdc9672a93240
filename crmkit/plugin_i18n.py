"""A translation domain per plugin: its own catalog first, then the core's, never over the core's.

A plugin marks its strings with its own ``Messages``::

    from crmkit.plugin_i18n import Messages

    messages = Messages(__name__)
    _ = messages.gettext
    _l = messages.lazy_gettext

and ships ``translations/<lang>/LC_MESSAGES/messages.mo`` in its package (``crmkit plugin
translations`` writes them). A msgid the plugin translates is read from its catalog; one it does
not (a "Save" it shares with the core) falls back to the core's translation. The core's own
strings never see the plugin's catalog, so a plugin's "New" can't rename the core's "New" button.
Flask-Babel's ``Domain`` has the same idea; this one also works before an app exists (commands)
and finds the request's catalog with one lookup, as ``crmkit.i18n`` does.

Templates under a plugin's ``templates/`` folder get that plugin's domain for ``_()``,
``gettext``, ``ngettext``, ``pgettext`` and ``{% trans %}``, bound when the template compiles (see
``DomainExtension``): a core template included by a plugin's page keeps the core's catalog, and a
plugin's template included by a core page (a panel) keeps the plugin's.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path

import flask_babel
from babel.support import NullTranslations, Translations
from flask import has_app_context
from flask_babel.speaklater import LazyString
from jinja2 import Environment, nodes
from jinja2.ext import (  # Jinja's own newstyle wrappers (private, unchanged since 2.10): autoescape, %()s
    InternationalizationExtension,
    _make_new_gettext,
    _make_new_ngettext,
    _make_new_npgettext,
    _make_new_pgettext,
)
from jinja2.lexer import TOKEN_DOT, TOKEN_LPAREN, TOKEN_NAME, Token, TokenStream

from crmkit import config, i18n

CATALOG_FOLDER = "translations"
DOMAIN = "messages"
NOT_IDENTIFIER = re.compile(r"\W")
# The names a template translates with; `_` is gettext's alias.
TEMPLATE_FUNCTIONS = {"_": "gettext", "gettext": "gettext", "ngettext": "ngettext",
                      "pgettext": "pgettext", "npgettext": "npgettext"}


def package_folder(import_name: str) -> Path | None:
    """The folder of a module's package: ``crmkit_hello.hooks`` -> ``.../crmkit_hello``.

    Read from the module being imported when it is (``Messages(__name__)`` runs during its
    import), else from its spec, like Flask's ``get_root_path``; never imports anything. None for
    a module without files (made in memory) or a top-level module outside any package, whose
    folder is site-packages itself.
    """
    module = sys.modules.get(import_name)
    if module is not None:
        filename = getattr(module, "__file__", None)
    else:
        try:
            spec = importlib.util.find_spec(import_name)
        except ModuleNotFoundError:  # a parent package is missing
            spec = None
        if spec is None:
            raise ValueError(f"no module named {import_name!r}")
        filename = spec.origin if spec.has_location else None
    if filename is None:
        return None
    path = Path(filename).resolve()
    if path.name != "__init__.py" and "." not in import_name:
        return None
    return path.parent


def catalog_folder(start: Path | None) -> Path | None:
    """The nearest ``translations/`` folder from ``start`` up through its enclosing packages, so a
    module in a sub-package of a plugin shares the plugin's catalog."""
    if start is None:
        return None
    folder = start
    while True:
        if (folder / CATALOG_FOLDER).is_dir():
            return folder / CATALOG_FOLDER
        if not (folder / "__init__.py").is_file() or folder.parent == folder:
            return None
        folder = folder.parent


def current_locale() -> str:
    """The language strings are translated into now: the request's, else the shell's."""
    if has_app_context():
        return str(flask_babel.get_locale() or i18n.SOURCE_LOCALE)
    return i18n.shell_locale(config.DEFAULTS["LANGUAGES"])


class Messages:
    """One plugin's translation domain, named by a module of the plugin (usually ``__name__``).

    Catalogs are read from ``<plugin package>/translations/<lang>/LC_MESSAGES/messages.mo``; the
    functions match ``crmkit.i18n``'s (named ``%(name)s`` placeholders, ``num`` filled in).
    """

    def __init__(self, import_name: str, *, package: Path | None = None):
        self.import_name = import_name
        self.folder = catalog_folder(package or package_folder(import_name))
        # The plugin's catalog with the core's behind it, per core catalog object: the core's is
        # one object per app and language, so this costs one dict lookup per string.
        self._chained: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"Messages({self.import_name!r}, folder={str(self.folder) if self.folder else None!r})"

    def translations(self) -> NullTranslations:
        """The catalog to translate with now: this plugin's, falling back to the core's."""
        core = i18n.translations()
        try:
            return self._chained[core]
        except KeyError:
            chained = self._chained[core] = self._chain(current_locale(), core)
            return chained

    def _chain(self, locale: str, core: NullTranslations) -> NullTranslations:
        if self.folder is None:
            return core
        own = Translations.load(str(self.folder), [locale], DOMAIN)  # a fresh object per call
        if not isinstance(own, Translations):  # no catalog for this language
            return core
        own.add_fallback(core)
        return own

    def gettext(self, string: str, **variables) -> str:
        text = self.translations().ugettext(string)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return self.translations().ungettext(singular, plural, num) % variables

    def pgettext(self, context: str, string: str, **variables) -> str:
        text = self.translations().upgettext(context, string)
        return text % variables if variables else text

    def npgettext(self, context: str, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return self.translations().unpgettext(context, singular, plural, num) % variables

    def lazy_gettext(self, string: str, **variables) -> LazyString:
        """Translated when shown, in this plugin's domain: for labels built at import time."""
        return LazyString(self.gettext, string, **variables)

    def lazy_ngettext(self, singular: str, plural: str, num: int, **variables) -> LazyString:
        return LazyString(self.ngettext, singular, plural, num, **variables)

    def lazy_pgettext(self, context: str, string: str, **variables) -> LazyString:
        return LazyString(self.pgettext, context, string, **variables)

    def template_functions(self) -> dict[str, object]:
        """gettext, ngettext, pgettext and npgettext as Jinja's newstyle i18n calls them."""
        return {
            "gettext": _make_new_gettext(lambda s: self.translations().ugettext(s)),
            "ngettext": _make_new_ngettext(lambda s, p, n: self.translations().ungettext(s, p, n)),
            "pgettext": _make_new_pgettext(lambda c, s: self.translations().upgettext(c, s)),
            "npgettext": _make_new_npgettext(lambda c, s, p, n: self.translations().unpgettext(c, s, p, n)),
        }


def global_name(plugin: str, function: str) -> str:
    """The template global holding a plugin's ``function``: an identifier no template writes."""
    return f"_crmkit_{NOT_IDENTIFIER.sub('_', plugin)}__{function}"


class DomainExtension(InternationalizationExtension):
    """Jinja's i18n extension, binding a plugin's templates to the plugin's domain at compile time.

    A template whose file is under a plugin's templates folder has its ``_(``, ``gettext(``,
    ``ngettext(``, ``pgettext(``, ``npgettext(`` calls and its ``{% trans %}`` blocks compiled to
    call that plugin's functions (template globals named by ``global_name``). Bound by the file,
    not the render: with ``{% extends %}`` and ``{% include %}`` each template keeps its own
    domain, which a per-render variable could not do (an included template shares the context).
    A deployment's override of a plugin's template (``<instance>/templates/<plugin>/...``) speaks
    the plugin's domain too, so it can keep the plugin's words.
    """

    def __init__(self, environment: Environment):
        super().__init__(environment)
        environment.extend(crmkit_template_domains=[], crmkit_override_folder=None)

    def plugin_of(self, filename: str | None, name: str | None) -> str | None:
        domains = self.environment.crmkit_template_domains
        if not filename or not domains:
            return None
        path = os.path.realpath(filename)
        for folder, plugin in domains:
            if path.startswith(folder + os.sep):
                return plugin
        overrides = self.environment.crmkit_override_folder
        if overrides and name and path.startswith(overrides + os.sep):
            first = name.split("/", 1)[0]
            return next((plugin for _folder, plugin in domains if plugin == first), None)
        return None

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        plugin = self.plugin_of(stream.filename, stream.name)
        if plugin is None:
            return stream
        return _rename_calls(list(stream), plugin)

    def parse(self, parser):
        found = super().parse(parser)
        plugin = self.plugin_of(parser.filename, parser.name)
        if plugin is not None:
            for node in found if isinstance(found, list) else [found]:
                for name in node.find_all(nodes.Name):
                    if name.ctx == "load" and name.name in TEMPLATE_FUNCTIONS:
                        name.name = global_name(plugin, TEMPLATE_FUNCTIONS[name.name])
        return found


def _rename_calls(tokens: list[Token], plugin: str) -> Iterator[Token]:
    """``_(`` and ``gettext(`` (not ``obj.gettext(``) become calls of the plugin's functions."""
    for index, token in enumerate(tokens):
        if (
            token.type == TOKEN_NAME
            and token.value in TEMPLATE_FUNCTIONS
            and index + 1 < len(tokens)
            and tokens[index + 1].type == TOKEN_LPAREN
            and (index == 0 or tokens[index - 1].type != TOKEN_DOT)
        ):
            token = Token(token.lineno, TOKEN_NAME, global_name(plugin, TEMPLATE_FUNCTIONS[token.value]))
        yield token


def install(environment: Environment, plugins: Iterable, overrides: Path | None = None) -> None:
    """Translate each plugin's templates in the plugin's domain (``plugins``: crmkit.plugins.Plugin),
    and the deployment's overrides of them (under ``overrides``, the instance's templates folder).

    Replaces Jinja's i18n extension, which flask-babel added, by ``DomainExtension``; the
    gettext callables already installed stay the core's.
    """
    environment.extensions.pop(InternationalizationExtension.identifier, None)
    environment.add_extension(DomainExtension)
    domains = []
    for plugin in plugins:
        templates = plugin.subfolder("templates")
        if templates is None:
            continue
        messages = Messages(plugin.module.__name__, package=plugin.folder)
        if messages.folder is None:
            continue
        domains.append((os.path.realpath(templates), plugin.name))
        for function, callable_ in messages.template_functions().items():
            environment.globals[global_name(plugin.name, function)] = callable_
    environment.crmkit_template_domains = domains
    environment.crmkit_override_folder = os.path.realpath(overrides) if overrides else None
