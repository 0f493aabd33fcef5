"""Shared components: the field template, the blank choice, the error summary and pagination."""

from django import forms
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from cadence.styleguide import ExampleForm


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_a_field_has_its_label_without_a_colon_then_hint_error_and_input():
    form = ExampleForm(data={"title": "", "touchpoint": "", "channel": "web"})
    assert not form.is_valid()
    html = str(form["title"].as_field_group())
    assert '<label for="id_title">Title</label>' in html  # no colon
    hint, error, field = html.index('id="id_title_helptext"'), html.index('id="id_title_error"'), html.index("<input")
    assert hint < error < field
    assert 'aria-describedby="id_title_helptext id_title_error"' in html  # Django points the input at both
    assert 'aria-invalid="true"' in html and "field-invalid" in html


def test_radio_choices_are_a_fieldset_with_a_legend():
    html = str(ExampleForm()["channel"].as_field_group())
    assert "<fieldset" in html and "<legend>Channel</legend>" in html


def test_a_checkbox_sits_inside_its_label():
    html = str(ExampleForm()["notify"].as_field_group())
    assert '<label for="id_notify"><input type="checkbox"' in html and "Tell the approvers now</label>" in html


def test_the_blank_choice_reads_as_a_prompt_not_dashes():
    html = str(ExampleForm()["touchpoint"])
    assert "---------" not in html and '<option value="" selected>Choose…</option>' in html


def test_the_error_summary_links_each_error_to_its_field():
    form = ExampleForm(data={"title": "", "touchpoint": "", "channel": "web"})
    form.is_valid()
    html = render('{% include "components/error_summary.html" with form=form %}', form=form)
    assert 'role="alert"' in html and "There is a problem" in html
    assert '<a href="#id_title">Title: This field is required.</a>' in html
    assert '<a href="#id_touchpoint">Touchpoint: This field is required.</a>' in html


def test_the_error_summary_takes_a_list_of_field_ids_and_messages():
    html = render(
        '{% include "components/error_summary.html" with errors=errors %}',
        errors=[("id_start", "Start after today"), ("", "Add a second variant")],
    )
    assert '<a href="#id_start">Start after today</a>' in html and "<li>Add a second variant</li>" in html


def test_the_error_summary_is_absent_when_nothing_is_wrong():
    form = ExampleForm(data={"title": "Shorter forms", "touchpoint": "chat", "channel": "web"})
    assert form.is_valid()
    assert render('{% include "components/error_summary.html" with form=form %}', form=form).strip() == ""


def test_non_field_errors_are_listed_without_a_link():
    class Pair(forms.Form):
        def clean(self):
            raise forms.ValidationError("The pair does not match")

    form = Pair(data={})
    form.is_valid()
    html = render('{% include "components/error_summary.html" with form=form %}', form=form)
    assert "<li>The pair does not match</li>" in html


def test_pagination_keeps_the_other_query_parameters():
    request = RequestFactory().get("/ideas/", {"sort": "new", "page": "2"})
    page = Paginator(range(50), 20).get_page(2)
    template = Template('{% include "components/pagination.html" with page=page %}')
    html = template.render(RequestContext(request, {"page": page}))
    assert 'href="?sort=new&amp;page=1" rel="prev"' in html and 'href="?sort=new&amp;page=3" rel="next"' in html
    assert "Page 2 of 3" in html


def test_a_single_page_needs_no_pagination():
    page = Paginator(range(5), 20).get_page(1)
    assert render('{% include "components/pagination.html" with page=page %}', page=page).strip() == ""
