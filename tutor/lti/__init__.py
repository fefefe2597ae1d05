"""LTI 1.3: the tutor as a tool a VLE (Moodle, Canvas, Blackboard, Brightspace) launches. A learner arrives signed in,
in the activity's unit; their practice score goes back to the course's gradebook; a teacher adds units from a picker.

- ``tables``: what LTI stores (SQLAlchemy Core, its own ``MetaData``) and ``connect``;
- ``keys``: the tool's key pairs and JWKS, rotated without downtime; ``platforms``: registered VLEs and deployments;
- ``jwks``: the platforms' public keys, cached; ``nonces``: login state and single-use nonces;
- ``launch``: every check of an id_token; ``claims``: the ``Launch`` it makes; ``sessions``: the signed-in browsers;
- ``score``: the practice score; ``ags``: Assignment and Grade Services calls; ``grades``: the send queue, retries, record;
- ``deep_linking``: the signed response; ``pages``: the HTML outside Gradio; ``routes``: HTTP and the sign-in middleware;
- ``tool``: ``LtiTool``, which owns all of these; ``cli``: ``tutor lti``.
"""
