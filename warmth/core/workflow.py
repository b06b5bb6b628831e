"""One engine for every approval workflow (archive lifecycle, exit and transfer, payments, reports).

A workflow is data: a table of ``Action``s, each with the states it starts from, the state it leads to, the
permission it needs, the guards that may refuse it (each with a Chinese reason), whether a reason or opinion is
required, its Chinese name, and what it writes besides the state. The app that owns the model builds the table
(``archives/lifecycle.py``, ``payments/services.py``, ``reports/services.py``) and hands the engine its hooks:
the object type's access check, the step-row writer, the audit service, the role names of a permission. The
engine imports no app: an actor is anything with ``user``, ``can(perm)`` and ``require(perm)``.

- ``Workflow.run(actor, obj, action, **data)``: in one transaction, the subtree (the app's access check), the
  permission, the row lock (``select_for_update``), the state, the guards, the required reason, the action's
  own effect, ``save(update_fields=…)`` of exactly the changed columns, the step row and the audit row. Any
  refusal raises (``ValidationError`` 422, ``PermissionDenied`` 403, or the access check's ``Http404``) and
  the transaction leaves nothing behind.
- ``Workflow.allowed(actor, obj)``: the actions this actor may take now (state, permission, subtree, guards),
  in table order, without locking or writing. Views and the API offer exactly these.
- ``Workflow.waiting_on(obj)``: who takes the next step forward (the roles and the org), or None when the
  object rests (final, or nothing is pending); ``Workflow.held(actor, obj)``: why that role cannot take it yet.

Guards are the rules about the world (the filer is not the approver, every child approved, the 公示 is over);
the input an action takes (a date, the figures of a report) is validated by the action's ``apply`` and is not
part of ``allowed``: a button is offered when the rules let the actor act, and the form says what to fill in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from warmth.core.validation import LONG_TEXT, text


class ActorLike(Protocol):
    """What the engine needs of an actor (``orgs.access.Actor`` is one)."""

    user: Any

    def can(self, perm: Any) -> bool: ...

    def require(self, perm: Any) -> None: ...


@dataclass
class Transition:
    """One run of one action: what the guards and ``apply`` see, and what they leave for the step and audit."""

    workflow: Workflow
    action: Action
    actor: Any                      # None: the server operator (CLI), no permission or subtree check
    obj: Any                        # the locked row in ``run``; the caller's instance in ``allowed``
    data: dict[str, Any]
    before: str = ""                # the state before
    note: str = ""                  # the step row's note (defaults to the reason, if the action takes one)
    fields: list[str] = field(default_factory=list)   # columns ``apply`` changed besides the state
    step_action: str = ""           # the step row's action (default: the action's name)
    step_data: dict[str, Any] = field(default_factory=dict)
    audit_action: str = ""          # default: "<prefix>.<action>"
    audit_before: dict[str, Any] | None = None
    audit_after: dict[str, Any] | None = None
    audit_org: Any = None           # default: the workflow's org of the object
    audit_object: tuple[str, Any] | None = None   # (object type, id); default: the workflow's type and obj.pk
    result: Any = None              # what the public service returns, if not the object
    scratch: dict[str, Any] = field(default_factory=dict)   # what guards and ``apply`` share (computed once)

    @property
    def reason(self) -> str:
        return str(self.data.get(self.action.reason_field) or "").strip()


@dataclass(frozen=True)
class Guard:
    """A rule that may refuse: ``check(t)`` returns a Chinese reason, or a falsy value to let the action pass.

    ``denied`` marks a rule about who acts (refused with ``PermissionDenied``, HTTP 403); otherwise the refusal
    is a ``ValidationError`` under ``field`` (HTTP 422)."""

    check: Callable[[Transition], str | None]
    field: str | None = "__all__"
    denied: bool = False

    def refusal(self, message: str) -> Exception:
        if self.denied:
            return PermissionDenied(message)
        return ValidationError({self.field: message}) if self.field else ValidationError(message)


@dataclass(frozen=True)
class Action:
    name: str
    label: str                                     # the Chinese name (button, timeline, messages)
    sources: frozenset[str]
    target: str | Callable[[Any], str] | None      # the state it leads to; a callable of the object; None: stays
    perm: Any
    guards: tuple[Guard, ...] = ()
    reason: str = ""                               # label of a required reason/opinion; "" when none is required
    reason_missing: str = ""                       # the refusal when it is missing (default: "<label>须填写<reason>")
    reason_field: str = "reason"
    reason_max: int = LONG_TEXT                    # the longest reason (the step row's note column may be shorter)
    apply: Callable[[Transition], None] | None = None   # the action's own effect and input validation
    fields: tuple[str, ...] = ()                   # columns the action always changes besides the state
    forward: bool = False                          # moves the object on: ``waiting_on`` names who takes it
    acting_org: Callable[[Any], Any] | None = None  # where the acting role sits (default: the object's org)
    next_label: Callable[[Any], str] | None = None  # the waiting line's words (default: the label)
    wrong_state: str = ""                          # the refusal outside ``sources`` (default: the workflow's)

    def target_of(self, obj: Any) -> str | None:
        return self.target(obj) if callable(self.target) else self.target


@dataclass(frozen=True)
class Waiting:
    """Who acts next: ``roles`` (Chinese role names, any of them) at ``org``, to do ``label``."""

    org: Any
    roles: tuple[str, ...]
    label: str
    action: str

    def __str__(self) -> str:
        name = getattr(self.org, "name", str(self.org))
        return f"待 {name} {'或'.join(self.roles)} {self.label}"


def _missing_reason(a: Action) -> str:
    return a.reason_missing or f"{a.label}须填写{a.reason}"


@dataclass
class Workflow:
    """The table of one object type and the hooks its app supplies."""

    name: str                                      # the object type in audit rows ("archive", "payment")
    model: type[models.Model]
    actions: Iterable[Action]
    access: Callable[[Any, Any], Any]              # (actor, obj): raise outside the subtree (the access helper)
    sees: Callable[[Any, Any], bool]               # (actor, obj): the same rule, cheap, for ``allowed``
    step: Callable[[Transition], Any]              # writes the step row
    audit: Callable[..., Any]                      # the audit service (``audit.services.audit_record``)
    org_of: Callable[[Any], Any]                   # the org an object belongs to
    roles: Callable[[Any], Iterable[str]]          # the role names that hold a permission
    audit_prefix: str = ""
    state_field: str = "status"
    lock_related: tuple[str, ...] = ()
    state_label: Callable[[str], str] = str
    wrong_state: Callable[[Any, Action], str] | None = None
    touch: Callable[[Transition], Iterable[str]] | None = None   # columns set on every change (updated_at)
    audit_after: Callable[[Transition], dict] | None = None      # the default audit "after"
    table: dict[str, Action] = field(init=False)

    def __post_init__(self):
        self.table = {a.name: a for a in self.actions}

    def __getitem__(self, name: str) -> Action:
        return self.table[name]

    def label(self, name: str) -> str:
        return self.table[name].label

    # --- refusals ------------------------------------------------------------------------------------

    def _state_refusal(self, obj: Any, a: Action) -> ValidationError:
        if a.wrong_state:
            return ValidationError({"__all__": a.wrong_state})
        if self.wrong_state is not None:
            return ValidationError({"__all__": self.wrong_state(obj, a)})
        label = self.state_label(getattr(obj, self.state_field))
        return ValidationError({"__all__": f"当前为“{label}”，不能{a.label}"})

    def _guard_refusal(self, t: Transition) -> Exception | None:
        for g in t.action.guards:
            message = g.check(t)
            if message:
                return g.refusal(message)
        return None

    def refusal(self, actor: Any, obj: Any, name: str) -> str | None:
        """Why ``actor`` may not take ``name`` now (a Chinese reason), or None when it may; nothing is locked."""
        a = self.table[name]
        if actor is not None:
            if not self.sees(actor, obj):
                return "不在您的管辖范围内"
            if not actor.can(a.perm):
                return "您的角色无权执行此操作"
        state = getattr(obj, self.state_field)
        if state not in a.sources:
            return _text(self._state_refusal(obj, a))
        exc = self._guard_refusal(Transition(self, a, actor, obj, {}, before=state))
        return _text(exc) if exc is not None else None

    # --- the three questions --------------------------------------------------------------------------

    def allowed(self, actor: Any, obj: Any) -> list[str]:
        """The actions ``actor`` may take on ``obj`` now, in table order."""
        if actor is not None and not self.sees(actor, obj):
            return []
        state = getattr(obj, self.state_field)
        out = []
        for a in self.table.values():
            if state not in a.sources or (actor is not None and not actor.can(a.perm)):
                continue
            if self._guard_refusal(Transition(self, a, actor, obj, {}, before=state)) is None:
                out.append(a.name)
        return out

    def waiting_on(self, obj: Any) -> Waiting | None:
        """Who takes the next step forward, or None when the object rests."""
        state = getattr(obj, self.state_field)
        for a in self.table.values():
            if a.forward and state in a.sources:
                org = a.acting_org(obj) if a.acting_org else self.org_of(obj)
                if org is None:
                    return None
                label = a.next_label(obj) if a.next_label else a.label
                return Waiting(org=org, roles=tuple(self.roles(a.perm)), label=label, action=a.name)
        return None

    def held(self, actor: Any, obj: Any) -> str | None:
        """Why ``actor``, whose role takes the next step forward here, cannot take it now (a rule's Chinese
        reason: the 公示 is not over, a child has not reported, the actor filed it), or None. Rules about who
        acts (``denied`` guards) are not explained: the step is simply someone else's."""
        w = self.waiting_on(obj)
        if w is None or actor is None or not self.sees(actor, obj):
            return None
        a = self.table[w.action]
        if not actor.can(a.perm):
            return None
        t = Transition(self, a, actor, obj, {}, before=getattr(obj, self.state_field))
        for g in a.guards:
            message = g.check(t)
            if message:
                return None if g.denied else message
        return None

    def run(self, actor: Any, obj: Any, name: str, **data: Any) -> Transition:
        """Take ``name`` on ``obj`` as ``actor`` (None: the operator), everything in one transaction."""
        if name not in self.table:
            raise ValidationError({"__all__": f"未知的操作：{name}"})
        a = self.table[name]
        with transaction.atomic():
            if actor is not None:
                self.access(actor, obj)
                actor.require(a.perm)
            qs = self.model._default_manager.select_for_update(of=("self",))
            if self.lock_related:
                qs = qs.select_related(*self.lock_related)
            row = qs.get(pk=obj.pk)
            before = getattr(row, self.state_field)
            if before not in a.sources:
                raise self._state_refusal(row, a)
            t = Transition(self, a, actor, row, data, before=before)
            if (exc := self._guard_refusal(t)) is not None:
                raise exc
            if a.reason:  # the input policy (core.validation): characters, trimmed, the length with the label
                t.note = text(t.data.get(a.reason_field), a.reason_field, a.reason, max_length=a.reason_max,
                              multiline=True)
                if not t.note:
                    raise ValidationError({a.reason_field: _missing_reason(a)})
            if a.apply is not None:
                a.apply(t)
            target = a.target_of(row)
            changed = [*a.fields, *t.fields]
            if target is not None and target != before:
                setattr(row, self.state_field, target)
                changed.insert(0, self.state_field)
            if changed and self.touch is not None:
                changed += self.touch(t)
            if changed:
                row.save(update_fields=list(dict.fromkeys(changed)))
            self.step(t)
            state = getattr(row, self.state_field)
            after = t.audit_after
            if after is None:
                after = (self.audit_after(t) if self.audit_after is not None
                         else {self.state_field: state, "note": t.note})
            kind, pk = t.audit_object or (self.name, row.pk)
            self.audit(actor=actor, action=t.audit_action or f"{self.audit_prefix or self.name}.{a.name}",
                       object_type=kind, object_id=pk, org=t.audit_org or self.org_of(row),
                       before=t.audit_before if t.audit_before is not None else {self.state_field: before},
                       after=after)
        return t


def _text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)
