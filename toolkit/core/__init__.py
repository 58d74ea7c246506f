"""Core: pure computation, no Flask, no database, no Word.

Questionnaires (``questionnaire``), answers to scores (``scoring``), personas
(``personas``: derivation, clustering method, stability, description), guidance rules
(``guidance``), round comparison (``compare``), the privacy rules (``privacy``), dashboard
figures (``dashboard``), file import (``intake``), link tokens (``tokens``), synthetic
respondents (``synthetic``) and the named shapes of the data passed between layers
(``shapes``). Every module takes data and returns data; the layers above store, render and
serve it.
"""
