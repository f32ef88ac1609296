"""The proposal pipeline (提案): sessions, proposals, co-signers, handling units, replies,
ratings and the event timeline."""
