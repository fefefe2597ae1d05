"""Learners: accounts (bcrypt), spaced practice per learner (FSRS), progress and what the units leave unanswered.
Everything is stored in the SQLite file ``TUTOR_DB`` beside the chat log (schema in ``db``)."""
