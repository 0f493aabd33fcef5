"""The visible text of a rendered page, and whether a piece of it is English left untranslated."""

import re
from html.parser import HTMLParser

# Elements whose text a person does not read as prose: code, keys, scripts, data for the charts.
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "template", "kbd", "samp", "textarea", "option"}
# Attributes a person reads (or hears) as text.
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# Words that are the same in Bahasa Indonesia and in English, or names: not a sign of a missed string.
SAME_IN_BOTH = {
    "pagar",
    "api",
    "csv",
    "json",
    "nps",
    "cuped",
    "sms",
    "url",
    "id",
    "ok",
    "ai",
    "p",
    "e",
    "g",
    "z",
    "status",
    "data",
    "touchpoint",
    "token",
    "operator",
    "admin",
    "email",
    "webhook",
    "interval",
    "override",
    "batch",
    "header",
    "english",
    "bahasa",
    "indonesia",
    "utc",
    "pp",
    "sd",
    "vs",
    "mde",
    "srm",
    "pdf",
    "md",
    "ics",
    "menu",
    "en",
    "backlog",
    "markup",
    "web",
    "agenda",
    "markdown",
    "v",  # v1, v2: a standard's versions
    # Month abbreviations Indonesian shares with English (dates are data).
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "sep",
    "nov",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


class _TextCollector(HTMLParser):
    def __init__(self, *, region: str | None, skipped_sections: tuple[str, ...]):
        super().__init__(convert_charrefs=True)
        self.skipped_sections = skipped_sections
        self.region = region  # only the text inside this element (e.g. "main"), or everything
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.inside_region = 0 if region else 1
        self.texts: list[str] = []

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped = tag in SKIPPED_ELEMENTS or "mono" in (attributes.get("class") or "").split()
        # HTML's own "do not translate" mark: product names and sample data.
        skipped = skipped or attributes.get("translate") == "no"
        names = (attributes.get("id") or "", attributes.get("aria-labelledby") or "")
        if self.skipped_sections and any(name.startswith(self.skipped_sections) for name in names if name):
            skipped = True
        if tag == self.region:
            self.inside_region += 1
        if self.inside_region and not self._skipping() and not skipped:
            self.texts += [attributes[name] for name in READ_ATTRIBUTES if attributes.get(name)]
            if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
                self.texts.append(attributes["value"])
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        if tag == self.region and self.inside_region:
            self.inside_region -= 1
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and self.inside_region and not self._skipping():
            self.texts.append(text)


def visible_texts(html: str, *, region: str | None = "main", skipped_sections: tuple[str, ...] = ()) -> list[str]:
    """The text nodes (and read attributes) inside `region`, leaving out the elements whose id or
    aria-labelledby starts with one of `skipped_sections`."""
    collector = _TextCollector(region=region, skipped_sections=skipped_sections)
    collector.feed(html)
    return collector.texts


def english_words(text: str, data: list[str]) -> list[str]:
    """The words of `text` left once the data shown in it (titles, names, keys: `data`, longest
    first) is taken out, that are not the same in both languages."""
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return [word for word in WORD.findall(text) if word.lower().strip("'’-") not in SAME_IN_BOTH]
