"""Programme pages: rounds over time, their comparison, drift report, trends and reviews."""

from toolkit.services.programmes import overdue_reviews

__all__ = ["overdue_reviews"]
