"""The web app: `create_app` in `app`, shared extensions, authorization and error pages, and
one blueprint package per area (auth, admin, rounds, survey, personas, programmes)."""
