"""Drives the Python adk-redis session service for the interop test.

Reads one JSON command on stdin: {"config": {...RedisSessionMemoryServiceConfig fields},
"ops": [...]}, runs the operations in order, and prints one JSON line: per operation
{"ok": result} or {"error": "..."}.
Operations: create {app, user, session, state}, append {app, user, session, events: [{author,
role, text, state_delta?}]}, get {app, user, session}, list {app, user?}.
"""

import asyncio
import json
import sys

from adk_redis.sessions import RedisSessionMemoryService, RedisSessionMemoryServiceConfig
from google.adk.events.event import Event
from google.adk.events.event_actions import EventActions
from google.genai import types


def text_of(event):
  parts = event.content.parts if event.content and event.content.parts else []
  return " ".join(p.text for p in parts if p.text and not p.thought)


def session_json(session):
  if session is None:
    return None
  events = [{"id": e.id, "author": e.author, "text": text_of(e)} for e in session.events]
  return {"id": session.id, "state": session.state, "events": events}


async def run(service, op):
  kind, app, user = op["op"], op.get("app"), op.get("user")
  if kind == "create":
    session = await service.create_session(
        app_name=app, user_id=user, session_id=op["session"], state=op.get("state"))
    return session_json(session)
  if kind == "get":
    return session_json(await service.get_session(app_name=app, user_id=user, session_id=op["session"]))
  if kind == "list":
    listed = await service.list_sessions(app_name=app, user_id=user)
    return [{"id": s.id, "user": s.user_id} for s in listed.sessions]
  if kind == "append":
    session = await service.get_session(app_name=app, user_id=user, session_id=op["session"])
    for spec in op["events"]:
      event = Event(
          invocation_id="python-peer",
          author=spec["author"],
          content=types.Content(role=spec["role"], parts=[types.Part(text=spec["text"])]),
          actions=EventActions(state_delta=spec.get("state_delta") or {}),
      )
      await service.append_event(session, event)
    return session_json(session)
  raise ValueError(f"unknown operation {kind!r}")


async def main():
  command = json.load(sys.stdin)
  service = RedisSessionMemoryService(RedisSessionMemoryServiceConfig(**command["config"]))
  results = []
  for op in command["ops"]:
    try:
      results.append({"ok": await run(service, op)})
    except Exception as error:  # one failing operation must not hide the others' results
      results.append({"error": f"{type(error).__name__}: {error}"})
  print(json.dumps(results, ensure_ascii=False))


asyncio.run(main())
