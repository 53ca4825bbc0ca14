from django import template

from programme.subsidies.errors import SubsidyError

register = template.Library()


@register.filter
def bank_problem(problem: dict) -> str:
    """A stored problem of a bank file's line, in the reader's language: ours (an
    unknown transfer, a contradiction) or the parser's (a broken line)."""
    code, params = problem.get("code", ""), problem.get("params") or {}
    if code in SubsidyError.messages:
        message = str(SubsidyError.messages[code])
        try:
            return message % params if params else message
        except (KeyError, TypeError, ValueError):
            return message
    from programme.bank.base import LineProblem
    from programme.bank.formats import problem_message

    return problem_message(
        LineProblem(
            line=problem.get("line", 0), code=code, params=params, text=problem.get("text", "")
        )
    )
