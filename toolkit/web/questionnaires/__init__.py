"""The questionnaire library page: the instruments rounds can use, and uploading your own."""
