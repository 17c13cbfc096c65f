"""The peer workload for `npm run bench -- --only peer`, run by the Python adk-redis 0.0.10.

One run: create a session, append 20 user + agent text turns (40 `append_event` calls), get it,
list the user's sessions, delete it. Prints one JSON line per run with its wall time, and a last
line with the import time. Request counts are taken by the bench's HTTP counting proxy, not here.

Usage: python peer_workload.py --base-url URL --backend adk-redis|in-memory --runs N --turns T
       --app APP --user USER --prefix PREFIX
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
import warnings

_import_started = time.perf_counter()
warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)

from google.adk.events.event import Event  # noqa: E402
from google.adk.sessions import InMemorySessionService  # noqa: E402
from google.genai import types  # noqa: E402

from adk_redis.sessions import RedisSessionMemoryService  # noqa: E402
from adk_redis.sessions import RedisSessionMemoryServiceConfig  # noqa: E402

_import_seconds = time.perf_counter() - _import_started


def text_event(author: str, role: str, text: str, invocation: str) -> Event:
  return Event(
      author=author,
      invocation_id=invocation,
      content=types.Content(role=role, parts=[types.Part(text=text)]),
  )


async def workload(service, app: str, user: str, session_id: str, turns: int) -> dict:
  started = time.perf_counter()
  session = await service.create_session(
      app_name=app, user_id=user, session_id=session_id
  )
  for turn in range(turns):
    invocation = f"inv-{turn}"
    await service.append_event(
        session,
        text_event("user", "user", f"User message number {turn}: plan the trip.", invocation),
    )
    await service.append_event(
        session,
        text_event(
            "planner", "model", f"Agent answer number {turn}: here is the plan.", invocation
        ),
    )
  loaded = await service.get_session(app_name=app, user_id=user, session_id=session_id)
  listed = await service.list_sessions(app_name=app, user_id=user)
  await service.delete_session(app_name=app, user_id=user, session_id=session_id)
  seconds = time.perf_counter() - started
  return {
      "seconds": seconds,
      "events_read": len(loaded.events) if loaded else -1,
      "listed": len(listed.sessions),
  }


async def main() -> None:
  parser = argparse.ArgumentParser()
  parser.add_argument("--base-url", required=True)
  parser.add_argument("--backend", choices=["adk-redis", "in-memory"], required=True)
  parser.add_argument("--runs", type=int, default=5)
  parser.add_argument("--turns", type=int, default=20)
  parser.add_argument("--app", default="bench-peer-py")
  parser.add_argument("--user", default="bench-user")
  parser.add_argument("--prefix", default="py")
  args = parser.parse_args()

  if args.backend == "in-memory":
    service = InMemorySessionService()
  else:
    service = RedisSessionMemoryService(
        RedisSessionMemoryServiceConfig(
            backend="opensource-agent-memory", api_base_url=args.base_url
        )
    )
  for run in range(args.runs):
    result = await workload(
        service, args.app, args.user, f"{args.prefix}-{run}", args.turns
    )
    result["run"] = run
    print(json.dumps(result), flush=True)
  print(json.dumps({"import_seconds": _import_seconds}), flush=True)


if __name__ == "__main__":
  asyncio.run(main())
