"""Word briefs from a persona set: one communication and one training brief per persona, and
an overview per round, in Dutch and English. Python-docx and matplotlib; no Flask, no database.

Why this shape:
- Every document starts from the styled template in templates/briefs/ and uses only its
  named styles, so the look lives in one place and an organisation can restyle the template
  without touching the code.
- Advice comes from the guidance rules (questionnaires/guidance.toml), and every piece of
  advice is printed with its reason: the condition, the figure and the n behind it.
- Privacy is re-checked here, not trusted: personas that are not presented or have fewer
  than the round's minimum group never get a brief and never appear in the overview, and no
  count below the minimum group is printed (it reads "fewer than 5").
- Text that came from people (names, labels, team names, quotes, round titles) is stripped of
  characters Word cannot store before it goes in.
- All wording is in the app's Babel catalogue (toolkit/translations), next to the web pages'.

The package, from the top down:
    files.py          write_round_briefs: every brief of a round, under safe file names
    communication.py  the communication brief         training.py   the training brief
    overview.py       the round overview              sections.py   sections persona briefs share
    context.py        what one document needs: figures, dates, counts, persona lookups, advice
    writer.py         the python-docx writer (paragraphs, tables, pictures)
    charts.py         matplotlib charts as PNG bytes
    template.py       the Word template files; styles.py: their named styles
    text.py           the catalogue for one language; sanitize.py: text made safe for Word
    visibility.py     who may be shown (the round's minimum group)
"""

from toolkit.briefs.communication import communication_brief
from toolkit.briefs.files import write_round_briefs
from toolkit.briefs.overview import overview_brief
from toolkit.briefs.sanitize import clean_text
from toolkit.briefs.training import training_brief
from toolkit.briefs.visibility import may_show, min_group_of, min_quote_of, shown_personas

__all__ = [
    "clean_text",
    "communication_brief",
    "may_show",
    "min_group_of",
    "min_quote_of",
    "overview_brief",
    "shown_personas",
    "training_brief",
    "write_round_briefs",
]
