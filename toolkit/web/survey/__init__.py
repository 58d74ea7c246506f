"""The respondent side: personal links, one page per questionnaire block, save and resume."""
