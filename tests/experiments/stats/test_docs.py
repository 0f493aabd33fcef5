"""The examples in docs/statistics.md run as written."""

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "statistics.md"


def test_every_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) >= 8
    namespace: dict = {}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        for index, block in enumerate(blocks):
            exec(compile(block, f"{DOC.name} example {index + 1}", "exec"), namespace)


def test_the_printed_decision_shown_in_the_text_is_what_the_code_prints():
    text = DOC.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    shown = re.search(r"prints\n\n```text\n(.*?)```", text, flags=re.S).group(1)
    namespace: dict = {}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        for block in blocks[:6]:
            exec(block, namespace)
    assert shown in output.getvalue()
