"""E-mail: wording per language (`render`), SMTP settings and delivery (`smtp`), and the outbox
that sends every message exactly once (`outbox`). No Flask: the scheduler process calls it."""
