"""GET /me/events in the OpenAPI document, though the events process serves it, not
Flask: generated clients get its operation (`streamEvents`) and the types of what it
sends. Each message is an SSE frame: `id:` (an event of the log, or `reset`), `event:`
and one `data:` line of JSON, described by `StreamMessage` (one schema per `event`)."""
from __future__ import annotations

from copy import deepcopy

from apispec import APISpec
from werkzeug.routing import Rule

from api.openapi import BEARER
from domain.accounts.events import SessionEvent, UserEvent
from domain.library.events import LibraryEvent

PATH = "/api/v1/me/events"
OPERATION_ID = "streamEvents"
AGGREGATES = {LibraryEvent: "library", UserEvent: "user", SessionEvent: "session"}
IMPORT_STATUSES = ["matching", "writing", "done"]


def _names(base: type) -> list[str]:
    found = []
    for sub in base.__subclasses__():
        found += [sub.event_type(), *_names(sub)]
    return found


EVENT_NAMES = sorted(name for base in AGGREGATES for name in _names(base))
_POSITION = {"type": "string", "pattern": "^[0-9]{1,18}$",
             "description": "The event's position in the log: send it back as Last-Event-ID."}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _message(event: list[str], data: dict, with_id: bool, description: str) -> dict:
    properties = {"event": {"type": "string", "enum": event}, "data": data}
    if with_id:
        properties = {"id": _POSITION, **properties}
    return {"type": "object", "description": description, "properties": properties,
            "required": sorted(properties)}


SCHEMAS = {
    "StreamEvent": {
        "type": "object", "description": "One of your applied changes, from the event log.",
        "properties": {
            "type": {"type": "string", "enum": EVENT_NAMES},
            "aggregate": {"type": "string", "enum": sorted(AGGREGATES.values())},
            "version": {"type": "integer", "minimum": 1,
                        "description": "The aggregate's version after this event."},
            "occurred_at": {"type": "string", "format": "date-time"},
            "data": {"type": "object", "additionalProperties": True,
                     "description": "The event's payload (e.g. tmdb_id, rating, notes)."}},
        "required": ["aggregate", "data", "occurred_at", "type", "version"]},
    "ImportProgress": {
        "type": "object", "description": "Where an import of yours stands, sent as each "
        "step is recorded (GET /me/imports/{import_id} has the report).",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": IMPORT_STATUSES},
            "processed": {"type": "integer", "minimum": 0,
                          "description": "Rows done with (written, ambiguous or unmatched)."},
            "total": {"type": "integer", "minimum": 0},
            "recorded_at": {"type": "string", "format": "date-time"}},
        "required": ["id", "processed", "recorded_at", "status", "total"]},
    "StreamEnd": {"type": "object", "properties": {"reason": {"type": "string"}},
                  "required": ["reason"]},
    "LoggedMessage": _message(EVENT_NAMES, _ref("StreamEvent"), True,
                              "A change of yours, named by its event type."),
    "StatsMessage": _message(["stats"], _ref("Stats"), False,
                             "Your stats as they are after the library events just sent."),
    "ImportMessage": _message(["import"], _ref("ImportProgress"), False,
                              "An import of yours moved on (not replayed on resume)."),
    "ResetMessage": _message(["reset"], {"type": "object"}, True,
                             "More was missed than the stream replays: refetch what you "
                             "show, then go on from this id."),
    "EndMessage": _message(["end"], _ref("StreamEnd"), False,
                           "The session ended (logout, revocation): the stream closes."),
}
SCHEMAS["StreamMessage"] = {
    "description": "One server-sent event: its `event` field, then its `data` (JSON).",
    "oneOf": [_ref(name) for name in ("LoggedMessage", "StatsMessage", "ImportMessage",
                                      "ResetMessage", "EndMessage")]}

LAST_EVENT_ID = {
    "in": "header", "name": "Last-Event-ID", "required": False,
    "description": "The id of the last event you received: the stream sends what followed "
                   "it (or `reset` when that is more than EVENTS_REPLAY_LIMIT events). "
                   "Without it, the stream starts from now.",
    "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"}}

OPERATION = {
    "operationId": OPERATION_ID, "tags": ["events"], "security": [{BEARER: []}],
    "summary": "Your own changes as they are applied, as server-sent events.",
    "description": (
        "Served by the events process (`python -m api.stream`, Procfile `events`), not by "
        "the API's workers: behind one origin a proxy routes this path to it; in "
        "development it listens on EVENTS_PUBLIC_URL (the API answers 421 here, naming "
        "it). Each of your applied events is sent with its log position as `id`, then "
        "`stats` after library events, `import` as an import of yours progresses, a "
        "comment line as heartbeat, and `end` when the session ends. Reconnect with "
        "Last-Event-ID to miss nothing."),
    "parameters": [LAST_EVENT_ID],
    "responses": {"200": {
        "description": "The stream (text/event-stream, open until the session ends).",
        "content": {"text/event-stream": {"schema": _ref("StreamMessage")}}}},
}


def document_stream(spec: APISpec, rule: Rule) -> None:
    """`rule`: the API's own route at PATH (apispec's Flask plugin names paths by rule)."""
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    spec.tag({"name": "events", "description": "Your changes as they happen"})
    spec.path(rule=rule, operations={"get": deepcopy(OPERATION)})
