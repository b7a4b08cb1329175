"""The pact page's Markdown renderer (extension/pages/markdown.js) in the extension's own page:
what it builds, and that no input makes it slow (4,000 spaces inside a heading once took 35 s)."""

from __future__ import annotations

import pytest
from e2e_testkit import ORIGIN

RENDER = """async (text) => {
    const { renderMarkdown } = await import(chrome.runtime.getURL('pages/markdown.js'));
    const started = performance.now();
    const fragment = renderMarkdown(text);
    const ms = performance.now() - started;
    const box = document.createElement('div');
    box.append(fragment);
    return { ms, html: box.innerHTML.length > 2000 ? box.innerHTML.slice(0, 2000) : box.innerHTML };
}"""


@pytest.fixture(scope="module")
def page(browser):
    tab = browser.new_page()
    tab.goto(f"{ORIGIN}/pages/popup.html")
    yield tab
    tab.close()


def render(page, text: str) -> dict:
    return page.evaluate(RENDER, text)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("# Pakta", "<h2>Pakta</h2>"),
        ("## Pakta ##", "<h3>Pakta</h3>"),
        ("#Pakta", "<p>#Pakta</p>"),  # no space: not a heading
        ("Saya **netral** dan *jujur*.", "<p>Saya <strong>netral</strong> dan <em>jujur</em>.</p>"),
        ("__tebal__ _miring_ snake_case_name",
         "<p><strong>tebal</strong> <em>miring</em> snake_case_name</p>"),
        ("**tebal dengan *miring* di dalam**",
         "<p><strong>tebal dengan <em>miring</em> di dalam</strong></p>"),
        ("2 * 3 * 4", "<p>2 * 3 * 4</p>"),  # spaced asterisks are no emphasis
        ("1. satu\n2. dua", "<ol><li>satu</li><li>dua</li></ol>"),
        ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ],
)
def test_what_the_renderer_builds(page, text, html):
    assert render(page, text)["html"] == html


@pytest.mark.parametrize(
    "text",
    [
        "# a" + " " * 4_000 + "b",  # the reported case: 35 s in the old renderer
        "# a" + " " * 100_000 + "b",
        "*a" + " " * 100_000 + "b",  # an italic opener that never closes, over a long run
        "#" + " " * 100_000 + "x",
        "# x" + " " * 100_000 + "#",
        "# " + "a " * 50_000 + "#" * 1000,
        "*" * 100_000,
        "**" + " a" * 50_000,
        "*a" * 50_000,
        "_a " * 50_000,
        "**a" * 30_000,
        ("*_" * 20_000) + ("_*" * 20_000),
    ],
    ids=["heading-inner-spaces-4000", "heading-inner-spaces", "unclosed-italic", "heading-spaces",
         "heading-trailing-spaces", "heading-closing-hashes", "asterisks", "unclosed-bold",
         "many-openers", "many-underscores", "many-bold-openers", "alternating"],
)
def test_no_input_is_slow(page, text):
    """Twelve pathological inputs, up to 200 kB; every one renders in well under a second."""
    assert render(page, text)["ms"] < 500
