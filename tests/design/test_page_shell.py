"""The page shell (templates/base.html, templates/components/): the header, user menu and language switch."""

import re

from django.urls import reverse

from tests.experiments.web import https_client, text_of


def header_of(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def main_menu_of(html: str) -> str:
    return html[html.index('<nav class="main-menu"') : html.index("</nav>", html.index('<nav class="main-menu"'))]


def user_menu_of(html: str) -> str:
    start = html.index('<details class="dropdown user-menu">')
    return html[start : html.index("</details>", start)]


def test_the_main_menu_holds_only_work_pages(proposer):
    html = https_client(proposer).get(reverse("dashboard")).content.decode()
    menu = text_of(main_menu_of(html)).split()
    assert " ".join(menu) == "Dashboard Experiments Waiting for me Ideas Reviews Standards Calendar"
    for tool in ("API docs", "Service keys", "API tokens", "Admin", "Log out"):
        assert tool not in text_of(main_menu_of(html))


def test_the_user_menu_holds_the_tools_the_password_and_log_out(proposer):
    html = https_client(proposer).get(reverse("dashboard")).content.decode()
    menu = user_menu_of(html)
    for href in (reverse("api-docs"), reverse("api-tokens"), reverse("service-keys"), reverse("password_change")):
        assert f'href="{href}"' in menu
    assert f'action="{reverse("logout")}"' in menu and 'method="post"' in menu
    assert "csrfmiddlewaretoken" in menu  # signing out is a CSRF-protected POST
    assert reverse("admin:index") not in menu  # not staff
    assert text_of(menu).count(proposer.get_full_name()) >= 1


def test_staff_find_the_admin_and_operations_in_the_user_menu(admin_user):
    menu = user_menu_of(https_client(admin_user).get(reverse("dashboard")).content.decode())
    assert f'href="{reverse("admin:index")}"' in menu and f'href="{reverse("operations")}"' in menu


def test_the_current_page_is_marked_in_the_menu(proposer):
    html = https_client(proposer).get(reverse("idea-list")).content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', main_menu_of(html))
    assert current == [reverse("idea-list")]


def test_the_menu_button_is_a_checkbox_label_so_it_works_without_javascript(proposer):
    header = header_of(https_client(proposer).get(reverse("dashboard")).content.decode())
    assert '<input type="checkbox" id="site-menu-toggle" class="menu-toggle" aria-controls="site-menu">' in header
    assert '<label for="site-menu-toggle" class="menu-button">' in header
    assert 'id="site-menu"' in header


def test_the_language_switch_posts_language_and_next_to_set_language(proposer):
    html = https_client(proposer).get(reverse("idea-list") + "?sort=new").content.decode()
    switch = html[html.index('<form method="post" action="/i18n/setlang/"') :]
    switch = switch[: switch.index("</form>")]
    assert 'name="next" value="/ideas/?sort=new"' in switch
    assert 'name="language" value="en"' in switch and 'name="language" value="id"' in switch
    assert "csrfmiddlewaretoken" in switch


def test_switching_language_sets_the_cookie_and_returns_to_the_page(proposer):
    client = https_client(proposer)
    response = client.post(reverse("set_language"), {"language": "id", "next": reverse("idea-list")})
    assert response.status_code == 302 and response["Location"] == reverse("idea-list")
    assert response.cookies["django_language"].value == "id"


def test_the_page_language_is_the_active_language(proposer):
    html = https_client(proposer).get(reverse("dashboard")).content.decode()
    assert re.search(r'<html lang="en[^"]*"', html)


def test_signed_out_pages_have_the_language_switch_but_no_menus():
    html = https_client().get(reverse("login")).content.decode()
    header = header_of(html)
    assert 'class="language-switch"' in header
    assert "main-menu" not in header and "user-menu" not in header


def test_the_shell_scripts_are_local_files(proposer):
    html = https_client(proposer).get(reverse("dashboard")).content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/js/shell.js" in scripts and "/static/js/table_cards.js" in scripts
    # No CDN: static files, and the scripts' translations served by Pagar itself (/jsi18n/).
    assert all(src.startswith("/static/") or src == reverse("javascript-catalog") for src in scripts)
