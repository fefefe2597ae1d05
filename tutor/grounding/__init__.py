"""Grounding: every drafted sentence is checked against the passages it cites (``verify``) as the draft streams
(``drafts``); unsupported sentences never reach the learner."""
