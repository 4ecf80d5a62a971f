"""The report reads in French and in English, in the reader's zone; outside text stays inert words."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.postmortem.scenario import ATTACK, Built
from tests.postmortem.support import parse, record_of, render, section

HEADINGS = {
    "en": [
        "Summary",
        "Impact",
        "Trigger and detection",
        "Response times against the playbook's targets",
        "The crisis cell",
        "Decisions and approvals",
        "Public statements, as published",
        "Reviews and their avenues",
        "Commitments",
        "What went well",
        "What went wrong",
        "Where we got lucky",
        "Action items",
        "Timeline",
    ],
    "fr": [
        "Résumé",
        "Impact",
        "Déclencheur et détection",
        "Délais de réponse face aux objectifs du playbook",
        "La cellule de crise",
        "Décisions et validations",
        "Prises de parole publiques, telles que publiées",
        "Avis et voies de recours",
        "Engagements",
        "Ce qui a bien fonctionné",
        "Ce qui n'a pas fonctionné",
        "Là où nous avons eu de la chance",
        "Plan d'action",
        "Chronologie",
    ],
}


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_both_languages_render_every_section_with_its_heading(
    locale: str, hotel: sessionmaker[Session], resolved: Built
) -> None:
    record = record_of(hotel, resolved)
    html_headings = [h.texts() for h in parse(render(record, "html", locale)).all("h2")]
    assert [h for h in html_headings if h not in ("At a glance", "En un coup d'œil")] == HEADINGS[locale]
    markdown = render(record, "md", locale)
    assert [line[3:] for line in markdown.splitlines() if line.startswith("## ")] == HEADINGS[locale]


def test_the_french_report_speaks_french_numbers_and_dates(
    hotel: sessionmaker[Session], resolved: Built
) -> None:
    markdown = render(record_of(hotel, resolved), "md", "fr")
    assert "| Audience signalée | 6\u202f680 " in markdown  # French digit grouping
    assert "Note moyenne avant | 4,6 |" in markdown
    assert (
        "Première prise en charge | ouverture → premier membre qui répond | 12 min | 30 min | tenu |"
        in markdown
    )
    assert "Cellule réunie : 2 h 30, pour un objectif de 2 h 00" in markdown.replace("\u202f", " ")


def test_html_escapes_attacker_text_everywhere(hotel: sessionmaker[Session], resolved: Built) -> None:
    html = render(record_of(hotel, resolved), "html")
    assert "<script" not in html and "<!channel>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &lt;!channel&gt;" in html
    tree = parse(html)
    assert not tree.all("script") and not tree.all("b")
    quotes = [q.texts() for q in tree.all("blockquote")]
    assert quotes.count(ATTACK) == 2  # the first signal, and the review as captured: shown as written
    assert "Marc <b>Fontaine</b>" in section(tree, "reviews").texts()


def test_markdown_escapes_attacker_text_so_no_renderer_makes_it_markup(
    hotel: sessionmaker[Session], resolved: Built
) -> None:
    markdown = render(record_of(hotel, resolved), "md")
    assert "<script>" not in markdown and "<!channel>" not in markdown and "[lien](" not in markdown
    assert (
        r"> \<script\>alert('x')\</script\> \<\!channel\> \*\*Hôtel sale\*\* "
        r"\[lien\](http://evil.example) \| \& co" in markdown
    )
    assert r"Pas d'aveu \<b\>ici\</b\>" in markdown  # a rejection's comment, written by a person


def test_text_is_never_compiled_as_a_template(hotel: sessionmaker[Session], resolved: Built) -> None:
    from dataclasses import replace

    record = replace(record_of(hotel, resolved), title="{{ 7 * 7 }} {% if true %}x{% endif %}")
    html = render(record)
    assert "{{ 7 * 7 }} {% if true %}x{% endif %}" in html and "49" not in html.split("<body>")[1][:400]


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Europe/Paris", "26 Nov 2026, 10:16"),
        ("America/Montreal", "26 Nov 2026, 04:16"),
        ("UTC", "26 Nov 2026, 09:16"),
    ],
)
def test_the_timeline_is_in_the_readers_time_zone(
    zone: str, shown: str, hotel: sessionmaker[Session], resolved: Built
) -> None:
    tree = parse(render(record_of(hotel, resolved), "html", "en", ZoneInfo(zone)))
    timeline = section(tree, "timeline")
    assert f"Times in {zone}" in timeline.texts()
    acknowledged = [
        tr.all("td") for tr in timeline.all("tr")[1:] if "Claire Morel acknowledged" in tr.texts()
    ]
    assert acknowledged[0][0].texts() == shown  # 09:16 UTC


def test_a_drill_report_is_marked_as_an_exercise_in_both_languages(
    hotel: sessionmaker[Session], drill: Built
) -> None:
    record = record_of(hotel, drill)
    english, french = render(record, "html", "en"), render(record, "md", "fr")
    tree = parse(english)
    assert tree.all("h1")[0].texts().startswith("DRILL — Post-mortem — EXE-2026-0001")
    assert tree.all("p", "exercise")[0].texts().startswith("EXERCISE — this incident was a drill")
    assert "simulated (drill): not posted" in section(tree, "statements").texts()
    assert french.startswith("# EXERCICE — Retour d'expérience — EXE-2026-0001")
    assert "**EXERCICE — cet incident était un exercice" in french


def test_a_real_incident_is_not_marked_as_an_exercise(hotel: sessionmaker[Session], resolved: Built) -> None:
    html = render(record_of(hotel, resolved))
    assert "DRILL" not in html and "EXERCISE" not in html
