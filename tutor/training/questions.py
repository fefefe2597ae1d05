"""Exercises with an answer key in a module: stem, options, keyed answer and the section they belong to."""

import copy
import re

from tutor.training.cnxml_inline import CNX, local

LETTER = re.compile(r"^\(?([a-hA-H])\)?[.)]?$")


def _section_class(ancestors):
    for el in reversed(ancestors):
        if local(el.tag) == "section" and el.get("class"):
            return el.get("class").split()[0]
    return ""


def _exercises(root):
    """(exercise, enclosing section class) in document order."""
    out = []

    def visit(el, ancestors):
        for c in el:
            if local(c.tag) == "exercise":
                out.append((c, _section_class(ancestors)))
            else:
                visit(c, ancestors + [c])
    visit(root, [])
    return out


def _linked_module(exercise, sections):
    for link in exercise.iter("{%s}link" % CNX):
        doc = link.get("document")
        if doc in sections:
            return doc
    return None


def _options(problem):
    lst = next((el for el in problem.iter("{%s}list" % CNX)), None)
    if lst is None:
        return None, []
    return lst, [it for it in lst if local(it.tag) == "item"]


def _stem_without(problem, lst):
    """A copy of the problem with the options list removed (so the stem is the question only)."""
    prob = copy.deepcopy(problem)
    target = lst.get("id")
    for parent in prob.iter():
        for c in list(parent):
            if local(c.tag) == "list" and (c.get("id") == target or target is None):
                parent.remove(c)
                return prob
    return prob


def parse_exercise(conv, exercise):
    """{question, options, answer, answer_letter, type} or None with a reason when there is no usable key."""
    problem, solution = exercise.find("{%s}problem" % CNX), exercise.find("{%s}solution" % CNX)
    if problem is None or solution is None:
        return None, "no answer key"
    sol = conv.text(solution)
    lst, items = _options(problem)
    m = LETTER.match(sol)
    if m and len(items) >= 2:
        idx = ord(m.group(1).lower()) - ord("a")
        if idx >= len(items):
            return None, "key letter has no option"
        options = [conv.text(it) for it in items]
        stem = conv.text(_stem_without(problem, lst))
        rec = {"type": "choice", "question": stem, "options": options, "answer": options[idx],
               "answer_letter": m.group(1).upper()}
    elif m or re.fullmatch(r"[a-hA-H](\s*,\s*[a-hA-H])+", sol):
        return None, "key letters without options"
    else:
        rec = {"type": "short", "question": conv.text(problem), "options": [], "answer": sol,
               "answer_letter": None}
    if not rec["question"] or not rec["answer"]:
        return None, "empty question or answer"
    return rec, None


def module_questions(conv, root, module_id, sections):
    """Keyed exercises of a module, each mapped to a section: the module a link in it names, else its own."""
    found, skipped = [], {}
    for exercise, kind in _exercises(root):
        rec, why = parse_exercise(conv, exercise)
        if rec is None:
            skipped[why] = skipped.get(why, 0) + 1
            continue
        linked = _linked_module(exercise, sections)
        rec.update({"exercise_id": exercise.get("id") or "", "kind": kind,
                    "section_id": linked or module_id, "mapped_by": "link" if linked else "module"})
        found.append(rec)
    return found, skipped
