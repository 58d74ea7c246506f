"""Administration: accounts, round access, privacy records, audit log, participant data."""
