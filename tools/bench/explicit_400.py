#!/usr/bin/env python3
"""Writes scenarios/bench/explicit-400.yaml: 400 explicit mailboxes on two
databases with 1,800 uniform background events an hour each, 14 days.

It uses only what the Python reference model (tools/reference-model/)
supports (listed sync durations, uniform background traffic), so the same
file times both implementations. Deterministic: no randomness, the same
file every time.

Usage: python3 tools/bench/explicit_400.py > scenarios/bench/explicit-400.yaml
"""

# The write-up's sync durations (MODEL.md section 10), rotated per mailbox.
SYNCS = ["9m9s", "2m50s", "8m10s", "10m20s", "1m15s", "11m16s"]
MAILBOXES = 400


def main():
    out = [
        "# yaml-language-server: $schema=../../docs/scenario.schema.json",
        "# Written by tools/bench/explicit_400.py; do not edit by hand.",
        "name: explicit-400",
        "description: >",
        "  Benchmark against the Python reference model: 400 mailboxes written",
        "  out one by one on two databases, each with 1,800 background events an",
        "  hour (uniform), 14 days. Every mailbox is moved with daily incremental",
        "  syncs (the write-up's durations); users turn SMS on during the first",
        "  morning, have a daily standup and a weekly review with 15-minute",
        "  reminders, and most reconfigure after two missed reminders; one move",
        "  in four completes during the second week.",
        "seed: 400",
        "start: 2016-01-11T00:00:00Z",
        "duration: 14d",
        "databases:",
        "  - name: DB01",
        "    background: { rate_per_hour: 1800, arrivals: uniform }",
        "  - name: DB02",
        "    background: { rate_per_hour: 1800, arrivals: uniform }",
        "mailboxes:",
    ]
    for i in range(MAILBOXES):
        home, target = ("DB01", "DB02") if i % 2 == 0 else ("DB02", "DB01")
        minute = i % 60
        syncs = ", ".join(SYNCS[(i + k) % len(SYNCS)] for k in range(len(SYNCS)))
        out += [
            f"  - name: user{i + 1:03}",
            f"    database: {home}",
            f'    phone: "+1555{i:07}"',
            f"    sms: {{ enable_at: 2016-01-11T{6 + i % 3:02}:{minute:02}:00Z }}",
        ]
        if i % 5 != 4:
            out.append("    user: { reconfigure_after_missed: 2, reaction: 4h }")
        out += [
            "    calendar:",
            f"      - {{ subject: Standup, start: 2016-01-11T{8 + i % 2:02}:{minute // 15 * 15:02}:00Z,"
            " duration: 15m, reminder: 15m, repeat: { every: 1d, count: 14 } }",
            f"      - {{ subject: Review, start: 2016-01-{11 + i % 5:02}T14:00:00Z,"
            " duration: 1h, reminder: 15m, repeat: { every: 7d, count: 2 } }",
            "    move:",
            f"      target: {target}",
            f"      start: 2016-01-11T{20 + i % 4:02}:{minute:02}:00Z",
            "      incremental_sync_interval: 1d",
            f"      sync_durations: [{syncs}]",
        ]
        if i % 4 == 3:
            out.append(f"      complete_at: 2016-01-{18 + i % 7:02}T02:00:00Z")
    out += [
        "expect:",
        "  # The reference model's figures (tools/reference-model/cnasim_ref.py).",
        "  legacy:",
        "    reminders_expected: 6333",
        "    reminders_missed: 5612",
        "    user_reconfigurations: 2143",
        "    events_processed: 1217572",
        "    max_backlog: 43",
        "  fixed:",
        "    reminders_missed: 0",
        "    events_processed: 1215429",
        "    max_backlog: 15",
    ]
    print("\n".join(out))


if __name__ == "__main__":
    main()
