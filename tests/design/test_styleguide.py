"""/style/: every component with a live example and its markup, for signed-in people only."""

from django.urls import reverse

from cadence.styleguide import COMPONENTS
from tests.experiments.web import https_client, text_of


def test_signed_out_visitors_are_sent_to_log_in():
    response = https_client().get(reverse("styleguide"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_style_guide_lists_every_component_with_example_and_markup(outsider):
    response = https_client(outsider).get(reverse("styleguide"))
    assert response.status_code == 200
    html = response.content.decode()
    for anchor, heading, _usage in COMPONENTS:
        assert f'id="{anchor}"' in html and f'href="#{anchor}"' in html
        assert str(heading) in text_of(html)
    assert html.count('class="styleguide-example"') == len(COMPONENTS)
    assert html.count("<summary>Markup</summary>") == len(COMPONENTS)
    # The markup shown is the example's own source, escaped.
    assert "&lt;button type=&quot;button&quot; class=&quot;danger&quot;&gt;" in html
    assert "{% include &quot;components/error_summary.html&quot; with errors=example_errors %}" in html


def test_the_user_menu_links_to_the_style_guide(outsider):
    html = https_client(outsider).get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("styleguide")}"' in html
