"""``tutor lti ...``: register platforms, see the values a VLE needs, manage the tool's keys, read the grade record.

    tutor lti add-platform --issuer URL --client-id ID --auth-url URL --token-url URL --jwks-url URL \\
                           --deployment-id ID [--deployment-id ID ...] [--audience URL] [--name TEXT] [--replace]
    tutor lti platforms | remove-platform --issuer URL --client-id ID
    tutor lti tool-values [--url https://tutor.college.ac.uk]   # what to enter in the VLE
    tutor lti keys list | add | use KID | retire KID              # rotation without downtime
    tutor lti grades [--learner KEY] [--status pending|sent|failed|superseded]
"""

from __future__ import annotations

import json


def _tool(settings):
    from .keys import ToolKeys
    from .platforms import Platforms
    from .tables import connect
    from .tool import database_of

    engine = connect(database_of(settings))
    return engine, Platforms(engine), ToolKeys(engine)


def tool_values(base: str) -> list[tuple[str, str]]:
    """The tool's side of a registration, as a VLE's form asks for it."""
    from .tool import JWKS_PATH, LAUNCH_PATH, LOGIN_PATH

    return [("Tool URL", base + LAUNCH_PATH), ("Initiate login URL", base + LOGIN_PATH),
            ("Redirection URI(s)", base + LAUNCH_PATH), ("Public keyset URL", base + JWKS_PATH),
            ("Custom parameters", "unit=<unit folder name> (optional; Deep Linking sets it for you)")]


def cmd_lti(args, settings) -> int:
    engine, platforms, keys = _tool(settings)
    if args.action == "add-platform":
        p = platforms.add(args.issuer, args.client_id, args.auth_url, args.token_url, args.jwks_url,
                          args.deployment_id, args.audience or "", args.name or "", replace=args.replace)
        print(f"Registered {p.name}: issuer {p.issuer}, client id {p.client_id}, deployments "
              f"{', '.join(p.deployments)}. The tool's public keyset URL is <tutor>/lti/jwks (key {keys.signing().kid}).")
    elif args.action == "platforms":
        rows = platforms.all()
        for p in rows:
            print(f"{p.name}\n  issuer {p.issuer}\n  client id {p.client_id}\n  deployments {', '.join(p.deployments)}"
                  f"\n  auth {p.auth_url}\n  token {p.token_url}\n  keys {p.jwks_url}")
        if not rows:
            print("No platforms yet. Add one: tutor lti add-platform --help")
    elif args.action == "remove-platform":
        platforms.remove(args.issuer, args.client_id)
        print(f"Removed {args.issuer} ({args.client_id}); its launches can no longer sign anyone in.")
    elif args.action == "tool-values":
        from .tool import public_url_of

        base = (args.url or public_url_of(settings) or f"http://{settings.host}:{settings.port}").rstrip("/")
        for label, value in tool_values(base):
            print(f"{label + ':':22} {value}")
    elif args.action == "keys":
        return _keys(args, keys)
    elif args.action == "grades":
        from .ags import Gradebook
        from .grades import GradeQueue

        sends = GradeQueue(engine, Gradebook(keys), platforms, str).sends(args.learner, args.status)
        for s in sends:
            print(json.dumps({k: s[k] for k in ("id", "created", "learner", "unit", "status", "tries", "response",
                                                 "last_error", "line_item", "sent", "payload")}, ensure_ascii=False))
        if not sends:
            print("No grade sends recorded.")
    return 0


def _keys(args, keys) -> int:
    if args.key_action == "add":
        kid = keys.add()
        print(f"Added key {kid}: published at /lti/jwks now, signing nothing yet. When platforms have had time to fetch "
              f"it (an hour is plenty), run: tutor lti keys use {kid}")
    elif args.key_action == "use":
        keys.use(args.kid)
        print(f"Key {args.kid} signs from now on. The old key stays published; retire it once nothing it signed is in "
              "use (a few minutes): tutor lti keys retire OLD_KID")
    elif args.key_action == "retire":
        keys.retire(args.kid)
        print(f"Key {args.kid} is no longer published.")
    for k in keys.listing():
        state = "signing" if k["signing"] else (f"retired {k['retired']}" if k["retired"] else "published")
        print(f"{k['kid']}  {k['created']}  {state}")
    return 0


def add_parsers(sub, settings_of) -> None:
    lti = sub.add_parser("lti", help="LTI 1.3: VLE platforms, the tool's keys, grades sent")
    actions = lti.add_subparsers(dest="action", required=True)
    p = actions.add_parser("add-platform", help="register a VLE (its values from its LTI tool registration page)")
    p.add_argument("--issuer", required=True, help="the platform's issuer (Moodle: Platform ID), exactly")
    p.add_argument("--client-id", required=True, help="the Client ID the platform gave the tutor")
    p.add_argument("--auth-url", required=True, help="Authentication request URL")
    p.add_argument("--token-url", required=True, help="Access token URL")
    p.add_argument("--jwks-url", required=True, help="Public keyset URL (the platform's)")
    p.add_argument("--deployment-id", action="append", required=True, help="a Deployment ID (repeatable)")
    p.add_argument("--audience", help="aud for token requests when the platform wants other than the token URL")
    p.add_argument("--name", help="a name for people, e.g. College Moodle")
    p.add_argument("--replace", action="store_true", help="change a platform already registered")
    actions.add_parser("platforms", help="the registered platforms")
    p = actions.add_parser("remove-platform", help="forget a platform (its launches stop working)")
    p.add_argument("--issuer", required=True)
    p.add_argument("--client-id", required=True)
    p = actions.add_parser("tool-values", help="what to enter in the VLE about the tutor")
    p.add_argument("--url", help="the tutor's public address (default TUTOR_PUBLIC_URL)")
    keys = actions.add_parser("keys", help="the tool's signing keys: list, add, use KID, retire KID")
    key_actions = keys.add_subparsers(dest="key_action", required=True)
    key_actions.add_parser("list")
    key_actions.add_parser("add", help="publish a new key (it does not sign yet)")
    key_actions.add_parser("use", help="sign with this key from now on").add_argument("kid")
    key_actions.add_parser("retire", help="stop publishing this key").add_argument("kid")
    p = actions.add_parser("grades", help="the scores sent to gradebooks, newest first (JSON lines)")
    p.add_argument("--learner")
    p.add_argument("--status", choices=["pending", "sent", "failed", "superseded"])
    lti.set_defaults(func=lambda args: cmd_lti(args, settings_of(args)))
