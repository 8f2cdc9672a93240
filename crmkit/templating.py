"""Where templates come from and what every template sees.

Lookup order: the instance folder's templates/, then each plugin's templates/, then the core.
``core:NAME`` always names the core's own template, so an override can extend what it replaces:
``{% extends "core:base.html" %}``. A plugin's templates translate in the plugin's own domain
(crmkit.plugin_i18n), the core's in the core's, whichever includes or extends which.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from flask import Flask, before_render_template, request
from flask_login import current_user
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader

from crmkit import plugin_i18n
from crmkit.plugins import Plugin

CORE_TEMPLATES = Path(__file__).parent / "templates"


def instance_templates(app: Flask) -> Path:
    """A deployment's own templates, which override the plugins' and the core's."""
    return Path(app.instance_path) / "templates"


def build_loader(app: Flask, plugins: Sequence[Plugin]) -> BaseLoader:
    core_dirs = [CORE_TEMPLATES] + [d for p in plugins if p.builtin if (d := p.subfolder("templates"))]
    plugin_dirs = [d for p in plugins if not p.builtin if (d := p.subfolder("templates"))]
    core = FileSystemLoader([str(d) for d in core_dirs])
    return ChoiceLoader(
        [
            FileSystemLoader(str(instance_templates(app))),
            FileSystemLoader([str(d) for d in plugin_dirs]),
            core,
            PrefixLoader({"core": core}, delimiter=":"),
            app.create_global_jinja_loader(),  # blueprints' own template folders
        ]
    )


def init_app(app: Flask, plugins: Sequence[Plugin], pm) -> None:
    app.jinja_env.loader = build_loader(app, plugins)
    plugin_i18n.install(app.jinja_env, [p for p in plugins if not p.builtin], instance_templates(app))
    app.jinja_env.globals["nav_items"] = lambda: sorted(
        (item for items in pm.hook.nav_items(user=current_user) for item in items or []),
        key=lambda item: (item.order, str(item.label)),
    )

    app.jinja_env.globals["page_fragments"] = lambda: [
        name for names in reversed(pm.hook.page_fragments(user=current_user)) for name in names or []]

    def add_plugin_context(_sender, template, context, **_extra) -> None:
        """Variables the view passed win over those plugins add."""
        for extra in pm.hook.template_context(template_name=template.name, request=request):
            for key, value in (extra or {}).items():
                context.setdefault(key, value)

    # Held by the app and connected weakly, so it goes with the app: blinker keeps a strong
    # receiver (and the plugin manager it holds) for as long as the process lives.
    app.extensions["crmkit.template_context"] = add_plugin_context
    before_render_template.connect(add_plugin_context, app)
