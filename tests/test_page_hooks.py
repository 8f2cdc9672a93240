"""Each hook that adds to pages (nav_items, template_context, dashboard_widgets) does what its
spec in crmkit/hookspecs.py promises, shown through a real app.

Every test builds the plugins it needs with ``plugin(name, *implementations)``, so the whole
plugin is in view; tests/test_docs.py checks that each hook has its ``test_hook_<name>``.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template_string

from crmkit import DashboardWidget, NavItem, hookimpl, public
from tests.hooking import client_of, nav_links, plugin, text_of

# nav_items


def test_hook_nav_items(make_app):
    @hookimpl
    def nav_items(user):
        return [
            NavItem("Zeta", url="https://zeta.example/", order=50),
            NavItem("First", url="https://first.example/", order=10),
            NavItem("Alpha", url="https://alpha.example/", order=50),
        ]

    client = client_of(make_app(plugins=[plugin("links", nav_items)]), is_admin=True)
    links = nav_links(text_of(client, "/"))
    assert links.index("/") < links.index("https://first.example/")  # core Home, order 0
    ours = [link for link in links if link.startswith("https://")]
    assert ours == ["https://first.example/", "https://alpha.example/", "https://zeta.example/"]  # same order: by label
    assert links.index("https://zeta.example/") < links.index("/admin/plugins")  # core Plugins, order 900


def test_nav_items_show_only_what_the_plugin_returns_for_that_user(make_app):
    @hookimpl
    def nav_items(user):
        return [NavItem("Reports", url="https://reports.example/")] if user.is_admin else []

    app = make_app(plugins=[plugin("reports", nav_items)])
    admin, clerk = client_of(app, is_admin=True), client_of(app, email="clerk@example.com")
    assert "https://reports.example/" in nav_links(text_of(admin, "/"))
    assert "https://reports.example/" not in nav_links(text_of(clerk, "/"))


def test_nav_items_get_an_anonymous_user_on_pages_shown_before_login(make_app):
    seen = []

    @hookimpl
    def nav_items(user):
        seen.append(user.is_authenticated)
        return []

    response = make_app(plugins=[plugin("links", nav_items)]).test_client().get("/no-such-page")
    assert (response.status_code, seen) == (404, [False])  # the error page has the layout


# template_context


def context_app(make_app, template_context, view=lambda: render_template_string("{{ greeter_text }}")):
    """An app whose plugin adds ``template_context`` and serves ``view`` at /greeter/."""
    bp = Blueprint("greeter", __name__, url_prefix="/greeter")
    bp.add_url_rule("/", "index", public(view))

    @hookimpl
    def register_blueprints():
        return [bp]

    return make_app(plugins=[plugin("greeter", register_blueprints, template_context)], migrate=False)


def test_hook_template_context(make_app):
    @hookimpl
    def template_context(template_name, request):
        return {"greeter_text": "Hello from a plugin"}

    assert text_of(context_app(make_app, template_context).test_client(), "/greeter/") == "Hello from a plugin"


def test_a_views_own_variable_wins_over_template_context(make_app):
    @hookimpl
    def template_context(template_name, request):
        return {"greeter_text": "from the plugin"}

    def view():
        return render_template_string("{{ greeter_text }}", greeter_text="from the view")

    app = context_app(make_app, template_context, view)
    assert text_of(app.test_client(), "/greeter/") == "from the view"


def test_template_context_gets_the_name_of_the_rendered_template_not_those_it_extends(make_app):
    names = []

    @hookimpl
    def template_context(template_name, request):
        names.append(template_name)

    text_of(make_app(plugins=[plugin("names", template_context)]).test_client(), "/login")
    assert names == ["auth/login.html"]  # which extends base.html


def test_template_context_gets_none_as_the_name_of_a_string_template(make_app):
    names = []

    @hookimpl
    def template_context(template_name, request):
        names.append(template_name)

    text_of(context_app(make_app, template_context).test_client(), "/greeter/")
    assert names == [None]


def test_template_context_gets_the_current_request(make_app):
    @hookimpl
    def template_context(template_name, request):
        return {"greeter_text": request.args["who"]}

    assert text_of(context_app(make_app, template_context).test_client(), "/greeter/?who=Dana") == "Dana"


# dashboard_widgets


def widget(title: str, order: int) -> DashboardWidget:
    return DashboardWidget(title, "inline/widget.html", {"number": f"number-{order}"}, order=order)


def test_hook_dashboard_widgets(make_app):
    @hookimpl
    def dashboard_widgets(user):
        return [widget("Late", 30), widget("Early", 10)]

    @hookimpl(specname="dashboard_widgets")
    def middle_widget(user):
        return [widget("Middle", 20)]

    app = make_app(plugins=[plugin("tasks", dashboard_widgets), plugin("deals", middle_widget)])
    page = text_of(client_of(app), "/")
    assert re.findall(r"<h2>(\w+)</h2>", page) == ["Early", "Middle", "Late"]
    assert re.findall(r'class="widget-number">([\w-]+)<', page) == ["number-10", "number-20", "number-30"]


def test_dashboard_widgets_are_built_for_the_user_viewing_the_home_page(make_app):
    @hookimpl
    def dashboard_widgets(user):
        return [widget("Approvals", 10)] if user.is_admin else []

    app = make_app(plugins=[plugin("approvals", dashboard_widgets)])
    admin, clerk = client_of(app, is_admin=True), client_of(app, email="clerk@example.com")
    assert "<h2>Approvals</h2>" in text_of(admin, "/")
    assert "<h2>Approvals</h2>" not in text_of(clerk, "/")
