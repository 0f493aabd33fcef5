"""Moving through the proposal form's steps in a browser (the stepper shows one step at a time)."""

from playwright.sync_api import expect


def step(page, name):
    """Open one step of the form: basics, scope, metrics or plan."""
    page.click(f"[data-step-link={name}]")
    expect(page.locator(f"#step-{name}")).to_be_visible()


def open_variants(page):
    """The suggested control and treatment start folded; unfold them to change them."""
    variants = page.locator("#section-variants")
    if variants.get_attribute("open") is None:
        variants.locator("summary").click()
    expect(page.locator("#id_variants-0-key")).to_be_visible()


def fill_metric_row(page, index, metric, role, *, effect=None, margin=None, baseline_rate):
    """A binary metric's row: once its metric and role are chosen it asks for these fields only."""
    row = f"#id_metrics-{index}-"
    if page.locator(f"{row}metric").count() == 0:
        page.click("button:has-text('Add a metric')")
    page.select_option(f"{row}metric", label=metric)
    page.select_option(f"{row}role", value=role)
    if effect is not None:
        page.fill(f"{row}minimum_detectable_effect", str(effect))
    if margin is not None:
        page.fill(f"{row}non_inferiority_margin", str(margin))
    page.fill(f"{row}baseline_rate", str(baseline_rate))
