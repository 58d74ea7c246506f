"""The questionnaire as respondents see it, read-only on one page, and a print view for the works council."""
