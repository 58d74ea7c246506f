"""Field notes of a round (issue 22): what HR and change managers heard in conversations, masked
before storing, listed per round and shown on the persona page."""
