#!/usr/bin/env python3
"""Independent reference implementation of the cnasim model (MODEL.md v1).

Plain Python 3.11, standard library only. Deterministic features only:
fixed sync durations (or lists), uniform background traffic. Anything that
needs a random stream is rejected with an error.

Usage: python3 cnasim_ref.py SCENARIO.yaml [--policy P]... [--seed N]
Prints one JSON object to stdout (see README in NOTES.md).
"""

import heapq
import itertools
import json
import re
import sys
from datetime import datetime, timezone, timedelta
from fractions import Fraction

MS_PER_HOUR = 3_600_000


class InputError(Exception):
    pass


# ---------------------------------------------------------------------------
# YAML subset reader
# ---------------------------------------------------------------------------

class YMap(dict):
    """A mapping that remembers (line, col) of each key for error messages."""

    def __init__(self):
        super().__init__()
        self.pos = {}
        self.where = (0, 0)


class YSeq(list):
    def __init__(self):
        super().__init__()
        self.where = (0, 0)


def _strip_comment(line):
    in_s = in_d = False
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if in_d:
            if c == '\\':
                i += 2
                continue
            if c == '"':
                in_d = False
        elif in_s:
            if c == "'":
                if i + 1 < n and line[i + 1] == "'":
                    i += 2
                    continue
                in_s = False
        else:
            prev = line[i - 1] if i > 0 else ' '
            if c in '"\'' and (prev in ' \t[{,:-' or i == 0):
                if c == '"':
                    in_d = True
                else:
                    in_s = True
            elif c == '#' and (i == 0 or prev in ' \t'):
                return line[:i]
        i += 1
    return line


_DQ_ESC = {'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '"': '"', '/': '/',
           '0': '\0', ' ': ' ', 'b': '\b', 'f': '\f'}


class YamlReader:
    def __init__(self, text, fname):
        self.fname = fname
        self.raw = text.splitlines()
        self.lines = []  # [lineno, indent, content]
        for n, raw in enumerate(self.raw, 1):
            lead = raw[:len(raw) - len(raw.lstrip(' \t'))]
            content = _strip_comment(raw).rstrip()
            s = content.lstrip(' ')
            if not s:
                continue
            if '\t' in lead:
                self.err(n, len(lead) + 1, 'tab in indentation')
            ind = len(content) - len(s)
            if ind == 0 and s in ('---', '...'):
                continue
            self.lines.append([n, ind, s])
        self.pos = 0

    def err(self, line, col, msg):
        raise InputError(f'{self.fname}:{line}:{col}: {msg}')

    @staticmethod
    def is_seq_item(s):
        return s == '-' or s.startswith('- ')

    def split_key(self, s, n, col):
        """Return (key, rest, rest_col) if s is a `key: value` entry, else None."""
        if s[0] in '"\'':
            try:
                key, j = self.quoted(s, 0, n, col)
            except InputError:
                return None
            k = j
            while k < len(s) and s[k] == ' ':
                k += 1
            if k < len(s) and s[k] == ':' and (k + 1 == len(s) or s[k + 1] == ' '):
                rest = s[k + 1:].lstrip(' ')
                return key, rest, col + len(s) - len(rest)
            return None
        if s[0] in '[{':
            return None
        i = 0
        while True:
            i = s.find(':', i)
            if i < 0:
                return None
            if i + 1 == len(s) or s[i + 1] == ' ':
                key = s[:i].rstrip()
                rest = s[i + 1:].lstrip(' ')
                return key, rest, col + len(s) - len(rest)
            i += 1

    def quoted(self, s, i, n, col):
        q = s[i]
        out = []
        j = i + 1
        while j < len(s):
            c = s[j]
            if q == '"':
                if c == '\\':
                    if j + 1 >= len(s):
                        break
                    e = s[j + 1]
                    if e == 'u':
                        out.append(chr(int(s[j + 2:j + 6], 16)))
                        j += 6
                        continue
                    if e not in _DQ_ESC:
                        self.err(n, col + j, f'unknown escape \\{e}')
                    out.append(_DQ_ESC[e])
                    j += 2
                    continue
                if c == '"':
                    return ''.join(out), j + 1
            else:
                if c == "'":
                    if j + 1 < len(s) and s[j + 1] == "'":
                        out.append("'")
                        j += 2
                        continue
                    return ''.join(out), j + 1
            out.append(c)
            j += 1
        self.err(n, col + i, 'unterminated quoted string')

    def plain(self, text):
        t = text.strip()
        if t in ('', '~', 'null', 'Null', 'NULL'):
            return None
        return t

    def inline(self, text, n, col):
        """A value written on one line (or a flow collection spanning lines)."""
        if text[0] in '&*!':
            self.err(n, col, 'anchors, aliases and tags are not supported')
        if text[0] in '[{':
            # join continuation lines until brackets balance
            full = text
            while self._depth(full) > 0:
                if self.pos >= len(self.lines):
                    self.err(n, col, 'unterminated flow collection')
                full += ' ' + self.lines[self.pos][2]
                self.pos += 1
            val, j = self.flow(full, 0, n, col)
            if full[j:].strip():
                self.err(n, col + j, f'unexpected text after flow collection: {full[j:].strip()!r}')
            return val
        if text[0] in '"\'':
            val, j = self.quoted(text, 0, n, col)
            if text[j:].strip():
                self.err(n, col + j, 'unexpected text after quoted scalar')
            return val
        return self.plain(text)

    @staticmethod
    def _depth(s):
        d = 0
        q = None
        i = 0
        while i < len(s):
            c = s[i]
            if q:
                if c == '\\' and q == '"':
                    i += 2
                    continue
                if c == q:
                    q = None
            elif c in '"\'':
                q = c
            elif c in '[{':
                d += 1
            elif c in ']}':
                d -= 1
            i += 1
        return d

    def flow(self, s, i, n, col):
        def ws(i):
            while i < len(s) and s[i] == ' ':
                i += 1
            return i
        i = ws(i)
        if i >= len(s):
            self.err(n, col + i, 'unexpected end of flow collection')
        c = s[i]
        if c == '[':
            out = YSeq()
            out.where = (n, col + i)
            i = ws(i + 1)
            if i < len(s) and s[i] == ']':
                return out, i + 1
            while True:
                v, i = self.flow(s, i, n, col)
                out.append(v)
                i = ws(i)
                if i < len(s) and s[i] == ',':
                    i = ws(i + 1)
                    if i < len(s) and s[i] == ']':
                        return out, i + 1
                    continue
                if i < len(s) and s[i] == ']':
                    return out, i + 1
                self.err(n, col + i, "expected ',' or ']' in flow sequence")
        if c == '{':
            out = YMap()
            out.where = (n, col + i)
            i = ws(i + 1)
            if i < len(s) and s[i] == '}':
                return out, i + 1
            while True:
                kpos = i
                if i < len(s) and s[i] in '"\'':
                    k, i = self.quoted(s, i, n, col)
                    i = ws(i)
                else:
                    j = i
                    while j < len(s):
                        if s[j] == ':' and (j + 1 == len(s) or s[j + 1] in ' ,}]'):
                            break
                        if s[j] in ',}':
                            break
                        j += 1
                    k = s[i:j].strip()
                    i = j
                if i >= len(s) or s[i] != ':':
                    self.err(n, col + i, "expected ':' in flow mapping")
                if k in out:
                    self.err(n, col + kpos, f'duplicate key {k!r}')
                out.pos[k] = (n, col + kpos)
                i = ws(i + 1)
                if i < len(s) and s[i] in ',}':
                    v = None
                else:
                    v, i = self.flow(s, i, n, col)
                out[k] = v
                i = ws(i)
                if i < len(s) and s[i] == ',':
                    i = ws(i + 1)
                    if i < len(s) and s[i] == '}':
                        return out, i + 1
                    continue
                if i < len(s) and s[i] == '}':
                    return out, i + 1
                self.err(n, col + i, "expected ',' or '}' in flow mapping")
        if c in '"\'':
            return self.quoted(s, i, n, col)
        j = i
        while j < len(s) and s[j] not in ',]}':
            j += 1
        return self.plain(s[i:j]), j

    def block_scalar(self, ind_char, n, parent_indent):
        folded = ind_char.startswith('>')
        chomp = '-' if '-' in ind_char else ('+' if '+' in ind_char else '')
        body = []
        ln = n  # 1-based line number of indicator; raw index n is next line
        block_ind = None
        while ln < len(self.raw):
            raw = self.raw[ln]
            s = raw.lstrip(' ')
            if s == '':
                body.append('')
                ln += 1
                continue
            ind = len(raw) - len(s)
            if ind <= parent_indent:
                break
            if block_ind is None:
                block_ind = ind
            if ind < block_ind:
                break
            body.append(raw[block_ind:])
            ln += 1
        # skip significant lines consumed
        while self.pos < len(self.lines) and self.lines[self.pos][0] <= ln:
            self.pos += 1
        while body and body[-1] == '' and chomp != '+':
            body.pop()
        text = (' ' if folded else '\n').join(body)
        if chomp != '-':
            text += '\n'
        return text

    def parse(self):
        if not self.lines:
            return None
        v = self.block(0)
        if self.pos < len(self.lines):
            n, i, s = self.lines[self.pos]
            self.err(n, i + 1, 'unexpected content (bad indentation?)')
        return v

    def block(self, min_indent):
        if self.pos >= len(self.lines):
            return None
        n, ind, s = self.lines[self.pos]
        if ind < min_indent:
            return None
        if self.is_seq_item(s):
            return self.seq(ind)
        if self.split_key(s, n, ind + 1) is not None:
            return self.map(ind)
        self.pos += 1
        return self.inline(s, n, ind + 1)

    def seq(self, ind):
        out = YSeq()
        out.where = (self.lines[self.pos][0], ind + 1)
        while self.pos < len(self.lines):
            n, i, s = self.lines[self.pos]
            if i < ind:
                break
            if i > ind:
                self.err(n, i + 1, 'bad indentation in sequence')
            if not self.is_seq_item(s):
                break
            rest = s[1:].lstrip(' ')
            if not rest:
                self.pos += 1
                out.append(self.block(ind + 1))
                continue
            col = i + (len(s) - len(rest))
            if self.is_seq_item(rest) or self.split_key(rest, n, col + 1) is not None:
                self.lines[self.pos] = [n, col, rest]
                out.append(self.block(col))
            else:
                self.pos += 1
                out.append(self.inline(rest, n, col + 1))
        return out

    def map(self, ind):
        out = YMap()
        out.where = (self.lines[self.pos][0], ind + 1)
        while self.pos < len(self.lines):
            n, i, s = self.lines[self.pos]
            if i < ind:
                break
            if i > ind:
                self.err(n, i + 1, 'bad indentation in mapping')
            kv = self.split_key(s, n, i + 1)
            if kv is None:
                self.err(n, i + 1, f'expected `key: value`, found {s!r}')
            key, rest, rcol = kv
            if key in out:
                self.err(n, i + 1, f'duplicate key {key!r}')
            out.pos[key] = (n, i + 1)
            self.pos += 1
            if rest == '':
                val = None
                if self.pos < len(self.lines):
                    n2, i2, s2 = self.lines[self.pos]
                    if i2 > ind:
                        val = self.block(ind + 1)
                    elif i2 == ind and self.is_seq_item(s2):
                        val = self.seq(ind)
            elif re.fullmatch(r'[|>][+-]?', rest):
                val = self.block_scalar(rest, n, ind)
            else:
                val = self.inline(rest, n, rcol)
            out[key] = val
        return out


def load_yaml(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return YamlReader(text, path).parse()


# ---------------------------------------------------------------------------
# Time and durations
# ---------------------------------------------------------------------------

_DUR_RE = re.compile(r'(\d+)\s*(ms|d|h|m|s)')
_TS_RE = re.compile(r'(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?')
_UNIT = {'ms': 1, 's': 1000, 'm': 60_000, 'h': MS_PER_HOUR, 'd': 24 * MS_PER_HOUR}


def parse_duration(text):
    """Milliseconds from `90s`, `1d 2h 30m`, `9m9s`, `500ms` or .NET `[-][d.]hh:mm:ss[.fff]`."""
    if not isinstance(text, str):
        raise ValueError('expected a duration string')
    t = text.strip()
    m = _TS_RE.fullmatch(t)
    if m:
        neg, d, hh, mm, ss, frac = m.groups()
        hh, mm, ss = int(hh), int(mm), int(ss)
        if hh > 23 or mm > 59 or ss > 59:
            raise ValueError(f'bad TimeSpan {text!r}')
        ms = ((int(d or 0) * 24 + hh) * 60 + mm) * 60_000 + ss * 1000
        if frac:
            ms += int((frac + '000')[:3])  # truncated to milliseconds
        return -ms if neg else ms
    if t == '0':
        return 0
    pos = 0
    total = 0
    seen = False
    for m in _DUR_RE.finditer(t):
        if t[pos:m.start()].strip():
            raise ValueError(f'bad duration {text!r}')
        total += int(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
        seen = True
    if not seen or t[pos:].strip():
        raise ValueError(f'bad duration {text!r}')
    return total


_INSTANT_RE = re.compile(
    r'(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))')
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_instant(text):
    if not isinstance(text, str):
        raise ValueError('expected an RFC 3339 instant')
    m = _INSTANT_RE.fullmatch(text.strip())
    if not m:
        raise ValueError(f'bad RFC 3339 instant {text!r}')
    y, mo, d, h, mi, s, frac, z, sign, oh, om = m.groups()
    dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc)
    ms = (dt - _EPOCH) // timedelta(milliseconds=1)
    if frac:
        ms += int((frac + '000')[:3])
    if not z:
        off = (int(oh) * 60 + int(om)) * 60_000
        ms -= off if sign == '+' else -off
    return ms


def fmt_instant(ms):
    dt = _EPOCH + timedelta(milliseconds=ms)
    return dt.strftime('%Y-%m-%dT%H:%M:%S') + f'.{ms % 1000:03d}Z'


# ---------------------------------------------------------------------------
# Scenario (validated world)
# ---------------------------------------------------------------------------

class Policy:
    def __init__(self, name, pause, resume, catch_up):
        self.name = name
        self.pause = set(pause)
        self.resume = set(resume)
        self.catch_up = catch_up


BUILTIN = {
    'legacy': Policy('legacy', ['initial', 'incremental', 'finalize'], [], False),
    'fixed': Policy('fixed', ['finalize'], ['move_succeeded', 'move_failed'], True),
}


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class Loader:
    def __init__(self, path):
        self.path = path

    def err(self, node, key, msg):
        line, col = (0, 0)
        if isinstance(node, YMap) and key in node.pos:
            line, col = node.pos[key]
        elif hasattr(node, 'where'):
            line, col = node.where
        raise InputError(f'{self.path}:{line}:{col}: {key}: {msg}')

    def mapping(self, node, ctx, allowed, required=()):
        if not isinstance(node, dict):
            raise InputError(f'{self.path}: {ctx}: expected a mapping')
        for k in node:
            if k not in allowed:
                self.err(node, k, f'unknown key in {ctx} (expected one of: {", ".join(allowed)})')
        for k in required:
            if node.get(k) is None:
                line, col = getattr(node, 'where', (0, 0))
                raise InputError(f'{self.path}:{line}:{col}: {ctx}: missing required key `{k}`')
        return node

    def get(self, node, key, conv, default=None):
        v = node.get(key)
        if v is None:
            return default
        try:
            return conv(v)
        except (ValueError, TypeError) as e:
            self.err(node, key, str(e) or 'bad value')

    @staticmethod
    def integer(v):
        if not isinstance(v, str) or not re.fullmatch(r'-?\d+', v):
            raise ValueError(f'expected an integer, found {v!r}')
        return int(v)

    @staticmethod
    def number(v):
        if not isinstance(v, str) or not re.fullmatch(r'\d+(\.\d+)?', v):
            raise ValueError(f'expected a non-negative number, found {v!r}')
        return Fraction(v)

    @staticmethod
    def boolean(v):
        if v in ('true', 'True', 'TRUE'):
            return True
        if v in ('false', 'False', 'FALSE'):
            return False
        raise ValueError(f'expected true or false, found {v!r}')

    @staticmethod
    def string(v):
        if not isinstance(v, str):
            raise ValueError('expected a string')
        return v

    @staticmethod
    def strlist(v):
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ValueError('expected a list of strings')
        return list(v)

    def load(self, seed_override=None):
        doc = load_yaml(self.path)
        top = self.mapping(doc, 'scenario',
                           ['name', 'description', 'seed', 'start', 'end', 'duration', 'policies',
                            'domain', 'databases', 'mailboxes', 'population', 'expect'],
                           ['name', 'start', 'databases'])
        if top.get('population') is not None:
            self.err(top, 'population', 'generated populations need random streams: unsupported by the reference')
        sc = Obj()
        sc.name = self.get(top, 'name', self.string)
        if not re.fullmatch(r'[a-z0-9-]+', sc.name):
            self.err(top, 'name', 'must match [a-z0-9-]+')
        sc.seed = self.get(top, 'seed', self.integer, 0)
        if seed_override is not None:
            sc.seed = seed_override
        sc.start = self.get(top, 'start', parse_instant)
        if (top.get('end') is None) == (top.get('duration') is None):
            self.err(top, 'end', 'give exactly one of `end` and `duration`')
        if top.get('end') is not None:
            sc.end = self.get(top, 'end', parse_instant)
        else:
            sc.end = sc.start + self.get(top, 'duration', parse_duration)
        if sc.end <= sc.start:
            self.err(top, 'end', 'window is empty')

        # policies
        sc.policies = []
        pols = top.get('policies')
        if pols is None:
            pols = ['legacy', 'fixed']
        if not isinstance(pols, list):
            self.err(top, 'policies', 'expected a list')
        for p in pols:
            if isinstance(p, str):
                if p not in BUILTIN:
                    self.err(top, 'policies', f'unknown policy {p!r}')
                sc.policies.append(BUILTIN[p])
            else:
                pm = self.mapping(p, 'policy', ['name', 'pause_on_move_started', 'resume_on', 'catch_up'], ['name'])
                name = self.get(pm, 'name', self.string)
                if name in BUILTIN:
                    self.err(pm, 'name', f'{name!r} is a built-in policy')
                pause = self.get(pm, 'pause_on_move_started', self.strlist, [])
                for x in pause:
                    if x not in ('initial', 'incremental', 'finalize'):
                        self.err(pm, 'pause_on_move_started', f'unknown move phase {x!r}')
                resume = self.get(pm, 'resume_on', self.strlist, [])
                for x in resume:
                    if x not in ('move_succeeded', 'move_failed'):
                        self.err(pm, 'resume_on', f'unknown move event {x!r}')
                cu = self.get(pm, 'catch_up', self.boolean, False)
                sc.policies.append(Policy(name, pause, resume, cu))
        names = [p.name for p in sc.policies]
        if len(set(names)) != len(names):
            self.err(top, 'policies', 'duplicate policy name')

        # databases
        sc.databases = []
        dbidx = {}
        dbs = top.get('databases')
        if not isinstance(dbs, list) or not dbs:
            self.err(top, 'databases', 'expected a non-empty list')
        for d in dbs:
            dm = self.mapping(d, 'database', ['name', 'counter_start', 'service_time', 'background'], ['name'])
            db = Obj(idx=len(sc.databases))
            db.name = self.get(dm, 'name', self.string)
            if db.name in dbidx:
                self.err(dm, 'name', 'duplicate database name')
            db.counter_start = self.get(dm, 'counter_start', self.integer, 1)
            db.service_time = self.get(dm, 'service_time', parse_duration, 0)
            if db.service_time < 0:
                self.err(dm, 'service_time', 'must be >= 0')
            db.rate = Fraction(0)
            bg = dm.get('background')
            if bg is not None:
                bm = self.mapping(bg, 'background', ['rate_per_hour', 'arrivals'])
                db.rate = self.get(bm, 'rate_per_hour', self.number, Fraction(0))
                arr = self.get(bm, 'arrivals', self.string, 'poisson')
                if arr not in ('poisson', 'uniform'):
                    self.err(bm, 'arrivals', 'expected poisson or uniform')
                if arr == 'poisson' and db.rate > 0:
                    self.err(bm, 'arrivals', 'poisson arrivals need a random stream: unsupported by the reference')
            dbidx[db.name] = db.idx
            sc.databases.append(db)

        # mailboxes
        sc.mailboxes = []
        mbs = top.get('mailboxes')
        if mbs is None:
            mbs = []
        if not isinstance(mbs, list):
            self.err(top, 'mailboxes', 'expected a list')
        seen = set()
        for m in mbs:
            mm = self.mapping(m, 'mailbox', ['name', 'guid', 'database', 'phone', 'sms', 'user', 'calendar', 'move'],
                              ['name', 'database'])
            mb = Obj(idx=len(sc.mailboxes))
            mb.name = self.get(mm, 'name', self.string)
            if mb.name in seen:
                self.err(mm, 'name', 'duplicate mailbox name')
            seen.add(mb.name)
            dbn = self.get(mm, 'database', self.string)
            if dbn not in dbidx:
                self.err(mm, 'database', f'unknown database {dbn!r}')
            mb.db = dbidx[dbn]
            mb.enable_at = mb.disable_at = None
            sms = mm.get('sms')
            if sms is not None:
                sm = self.mapping(sms, 'sms', ['enable_at', 'disable_at'], ['enable_at'])
                mb.enable_at = self.get(sm, 'enable_at', parse_instant)
                mb.disable_at = self.get(sm, 'disable_at', parse_instant)
                if mb.disable_at is not None and mb.disable_at <= mb.enable_at:
                    self.err(sm, 'disable_at', 'must be after enable_at')
            mb.react_n = mb.react_d = None
            us = mm.get('user')
            if us is not None:
                um = self.mapping(us, 'user', ['reconfigure_after_missed', 'reaction'])
                mb.react_n = self.get(um, 'reconfigure_after_missed', self.integer)
                if mb.react_n is not None:
                    if mb.react_n < 1:
                        self.err(um, 'reconfigure_after_missed', 'must be >= 1')
                    if um.get('reaction') is None:
                        self.err(um, 'reconfigure_after_missed', 'needs `reaction`')
                    mb.react_d = self.get(um, 'reaction', parse_duration)
                    if mb.react_d <= 0:
                        self.err(um, 'reaction', 'must be > 0')
            mb.items = []
            cal = mm.get('calendar')
            if cal is not None:
                if not isinstance(cal, list):
                    self.err(mm, 'calendar', 'expected a list')
                for c in cal:
                    cm = self.mapping(c, 'calendar item', ['subject', 'start', 'duration', 'reminder', 'repeat'],
                                      ['subject', 'start'])
                    it = Obj(idx=len(mb.items))
                    it.subject = self.get(cm, 'subject', self.string)
                    it.start = self.get(cm, 'start', parse_instant)
                    it.duration = self.get(cm, 'duration', parse_duration, 0)
                    it.reminder = self.get(cm, 'reminder', parse_duration)
                    if it.reminder is not None and it.reminder < 0:
                        self.err(cm, 'reminder', 'must be >= 0')
                    it.every = None
                    it.count = None
                    it.until = None
                    rp = cm.get('repeat')
                    if rp is not None:
                        rm = self.mapping(rp, 'repeat', ['every', 'count', 'until'], ['every'])
                        it.every = self.get(rm, 'every', parse_duration)
                        if it.every <= 0:
                            self.err(rm, 'every', 'must be > 0')
                        it.count = self.get(rm, 'count', self.integer)
                        it.until = self.get(rm, 'until', parse_instant)
                        if (it.count is None) == (it.until is None):
                            self.err(rm, 'every', 'give exactly one of `count` and `until`')
                        if it.count is not None and it.count < 0:
                            self.err(rm, 'count', 'must be >= 0')
                    mb.items.append(it)
            mb.move = None
            mv = mm.get('move')
            if mv is not None:
                vm = self.mapping(mv, 'move', ['target', 'start', 'incremental_sync_interval', 'sync_durations',
                                               'sync_duration', 'complete_at', 'lock_duration', 'fail_at'],
                                  ['target', 'start'])
                mo = Obj()
                tn = self.get(vm, 'target', self.string)
                if tn not in dbidx:
                    self.err(vm, 'target', f'unknown database {tn!r}')
                mo.target = dbidx[tn]
                if mo.target == mb.db:
                    self.err(vm, 'target', 'target is the mailbox\'s own database')
                mo.start = self.get(vm, 'start', parse_instant)
                mo.interval = self.get(vm, 'incremental_sync_interval', parse_duration, 24 * MS_PER_HOUR)
                if mo.interval < 0:
                    self.err(vm, 'incremental_sync_interval', 'must be >= 0')
                if (vm.get('sync_durations') is None) == (vm.get('sync_duration') is None):
                    self.err(vm, 'target', 'give exactly one of `sync_duration` and `sync_durations`')
                if vm.get('sync_duration') is not None:
                    if isinstance(vm['sync_duration'], dict):
                        self.err(vm, 'sync_duration', 'duration distributions need a random stream: unsupported by the reference')
                    mo.durations = [self.get(vm, 'sync_duration', parse_duration)]
                else:
                    lst = vm['sync_durations']
                    if not isinstance(lst, list) or not lst:
                        self.err(vm, 'sync_durations', 'expected a non-empty list')
                    try:
                        mo.durations = [parse_duration(x) for x in lst]
                    except ValueError as e:
                        self.err(vm, 'sync_durations', str(e))
                if any(d < 0 for d in mo.durations):
                    self.err(vm, 'sync_durations', 'durations must be >= 0')
                mo.complete_at = self.get(vm, 'complete_at', parse_instant)
                mo.fail_at = self.get(vm, 'fail_at', parse_instant)
                mo.lock = self.get(vm, 'lock_duration', parse_duration, 60_000)
                if mo.lock < 0:
                    self.err(vm, 'lock_duration', 'must be >= 0')
                if mo.complete_at is not None and mo.complete_at < mo.start:
                    self.err(vm, 'complete_at', 'before the move starts')
                if mo.fail_at is not None and mo.fail_at < mo.start:
                    self.err(vm, 'fail_at', 'before the move starts')
                mb.move = mo
            sc.mailboxes.append(mb)
        return sc


# ---------------------------------------------------------------------------
# Static world: reminders and move schedules (identical for every policy)
# ---------------------------------------------------------------------------

def reminders_of(mb, start, end):
    """Sorted list of (r, item_idx, occ_idx, occ_start) with r in [start, end)."""
    out = []
    for it in mb.items:
        if it.reminder is None:
            continue
        k = 0
        while True:
            if it.every is None and k > 0:
                break
            if it.count is not None and k >= it.count:
                break
            occ = it.start + k * (it.every or 0)
            if it.until is not None and occ > it.until:
                break
            r = occ - it.reminder
            if r >= end:
                break
            if r >= start:
                out.append((r, it.idx, k, occ))
            k += 1
    out.sort()
    return out


def move_transitions(mb, end):
    """Move's own transitions in order: list of (time, kind, arg).

    kind: 'sync_start' (arg phase), 'sync_end', 'finalize', 'succeeded_src',
    'succeeded_dst', 'failed'. Also returns the sync windows for NOTES.
    """
    mo = mb.move
    syncs = []
    s = mo.start
    k = 0
    while True:
        if s >= end:
            break
        if mo.complete_at is not None and s >= mo.complete_at:
            break
        if mo.fail_at is not None and s >= mo.fail_at:
            break
        d = mo.durations[min(k, len(mo.durations) - 1)]
        syncs.append([s, s + d, k])
        nxt = s + d + mo.interval
        if nxt <= s:
            raise InputError(f'mailbox {mb.name}: sync duration and interval both zero (endless syncs)')
        s = nxt
        k += 1
    fin = None
    if mo.complete_at is not None:
        fin = mo.complete_at
        for s0, e0, _ in syncs:
            if s0 < mo.complete_at < e0:
                fin = e0
    fail = None
    if mo.fail_at is not None and (fin is None or mo.fail_at < fin):
        fail = mo.fail_at
        fin = None
        for sy in syncs:
            if sy[0] < fail < sy[1]:
                sy[1] = fail
    tr = []
    for s0, e0, k in syncs:
        tr.append((s0, 'sync_start', 'initial' if k == 0 else 'incremental'))
        tr.append((e0, 'sync_end', None))
    if fin is not None:
        tr.append((fin, 'finalize', 'finalize'))
        tr.append((fin + mo.lock, 'succeeded_src', None))
        tr.append((fin + mo.lock, 'succeeded_dst', None))
    if fail is not None:
        tr.append((fail, 'failed', None))
    # stable sort by time keeps the move's own order for equal times
    tr.sort(key=lambda x: x[0])
    return tr, syncs


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------

PH_MOVE, PH_USER, PH_ASSIST, PH_TIMER, PH_OBSERVE = 1, 2, 3, 4, 5
STATIC, DYNAMIC = 0, 1


class Event:
    __slots__ = ('db', 'counter', 'created', 'seq', 'name', 'mbx', 'move_phase', 'flag', 'enable', 'f')

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def intent_on(mb, t):
    return mb.enable_at is not None and mb.enable_at <= t and (mb.disable_at is None or t < mb.disable_at)


def run(sc, pol):
    start, end = sc.start, sc.end
    heap = []
    uid = itertools.count()
    dyn = itertools.count()
    created_seq = itertools.count()

    def push(t, phase, cls, key, fn):
        heapq.heappush(heap, (t, phase, cls, key, next(uid), fn))

    nmb = len(sc.mailboxes)
    rems = [reminders_of(mb, start, end) for mb in sc.mailboxes]
    last_counter = [db.counter_start - 1 for db in sc.databases]
    last_f = [None] * len(sc.databases)
    cur_db = [mb.db for mb in sc.mailboxes]
    state = ['off'] * nmb
    paused_at = [None] * nmb
    gen = [0] * nmb
    state_log = [[] for _ in range(nmb)]
    miss = [0] * nmb
    pending = [False] * nmb
    first_sms = [dict() for _ in range(nmb)]
    sms = []  # (mbx, rem index, sent_at)
    move_started = []
    stats = dict(events_processed=0, max_backlog=0, user_reconfigurations=0)

    def set_state(m, s, t):
        state[m] = s
        state_log[m].append((t, s))

    def create_event(t, db, name, mbx=None, **kw):
        c = last_counter[db] + 1
        last_counter[db] = c
        T = sc.databases[db].service_time
        f = max(t, last_f[db]) + T if last_f[db] is not None else t + T
        last_f[db] = f
        ev = Event(db=db, counter=c, created=t, seq=next(created_seq), name=name, mbx=mbx, f=f, **kw)
        if name == 'MailboxMoveStarted':
            move_started.append(t)
        push(f, PH_ASSIST, DYNAMIC, (ev.seq,), lambda now, ev=ev: process(ev, now))

    def send(m, ri, now):
        sms.append((m, ri, now))
        first_sms[m].setdefault(ri, now)

    def schedule_timers(m, idxs):
        for ri in idxs:
            r = rems[m][ri][0]
            push(r, PH_TIMER, DYNAMIC, (next(dyn),), lambda now, m=m, g=gen[m], ri=ri: timer(m, g, ri, now))

    def timer(m, g, ri, now):
        if g == gen[m] and state[m] == 'active':
            send(m, ri, now)

    def drop_timers(m):
        gen[m] += 1

    def process(ev, now):
        stats['events_processed'] += 1
        stats['max_backlog'] = max(stats['max_backlog'], last_counter[ev.db] - ev.counter)
        m = ev.mbx
        if m is None:
            return
        if ev.name == 'ObjectModified':
            drop_timers(m)
            if ev.enable:
                set_state(m, 'active', now)
                schedule_timers(m, [i for i, x in enumerate(rems[m]) if x[0] >= now])
            else:
                set_state(m, 'off', now)
        elif ev.name == 'MailboxMoveStarted':
            if state[m] == 'active' and ev.move_phase in pol.pause:
                drop_timers(m)
                paused_at[m] = now
                set_state(m, 'paused', now)
        elif ev.name in ('MailboxMoveSucceeded', 'MailboxMoveFailed'):
            why = 'move_failed' if ev.name == 'MailboxMoveFailed' else 'move_succeeded'
            if ev.name == 'MailboxMoveSucceeded' and ev.flag != 'Destination':
                return
            if state[m] == 'paused' and why in pol.resume:
                drop_timers(m)
                set_state(m, 'active', now)
                if pol.catch_up:
                    p = paused_at[m]
                    for i, x in enumerate(rems[m]):
                        if p <= x[0] <= now:
                            send(m, i, now)
                    schedule_timers(m, [i for i, x in enumerate(rems[m]) if x[0] > now])
                else:
                    schedule_timers(m, [i for i, x in enumerate(rems[m]) if x[0] >= now])
        else:
            raise AssertionError(ev.name)

    # --- static schedule ---
    # phase 1: move transitions (mailbox order, move's own order), then background
    for m, mb in enumerate(sc.mailboxes):
        if mb.move is None:
            continue
        tr, _ = move_transitions(mb, end)
        src, dst = mb.db, mb.move.target
        for j, (t, kind, arg) in enumerate(tr):
            def fn(now, kind=kind, arg=arg, m=m, src=src, dst=dst):
                if kind == 'sync_start' or kind == 'finalize':
                    create_event(now, src, 'MailboxMoveStarted', m, move_phase=arg, flag='Source')
                elif kind == 'succeeded_src':
                    create_event(now, src, 'MailboxMoveSucceeded', m, flag='Source')
                elif kind == 'succeeded_dst':
                    create_event(now, dst, 'MailboxMoveSucceeded', m, flag='Destination')
                    cur_db[m] = dst
                elif kind == 'failed':
                    create_event(now, src, 'MailboxMoveFailed', m, flag='Source')
            push(t, PH_MOVE, STATIC, (0, m, j), fn)

    def background(d, db):
        def at(k):
            return start + int((k * MS_PER_HOUR / db.rate) // 1)

        def arrive(now, k):
            create_event(now, d, 'ObjectCreated')
            t2 = at(k + 1)
            if t2 < end:
                push(t2, PH_MOVE, STATIC, (1, d, k + 1), lambda n2: arrive(n2, k + 1))
        if at(1) < end:
            push(at(1), PH_MOVE, STATIC, (1, d, 1), lambda now: arrive(now, 1))

    for d, db in enumerate(sc.databases):
        if db.rate > 0:
            background(d, db)

    # phase 2: the user's own enable / disable
    for m, mb in enumerate(sc.mailboxes):
        if mb.enable_at is not None:
            push(mb.enable_at, PH_USER, STATIC, (m, 0),
                 lambda now, m=m: create_event(now, cur_db[m], 'ObjectModified', m, enable=True))
        if mb.disable_at is not None:
            push(mb.disable_at, PH_USER, STATIC, (m, 1),
                 lambda now, m=m: create_event(now, cur_db[m], 'ObjectModified', m, enable=False))

    # phase 5: observations of expected reminders
    def reconfigure(m, now):
        pending[m] = False
        if not intent_on(sc.mailboxes[m], now):
            return  # dropped
        stats['user_reconfigurations'] += 1
        create_event(now, cur_db[m], 'ObjectModified', m, enable=True)

    def observe(m, ri, now):
        mb = sc.mailboxes[m]
        delivered = ri in first_sms[m] and first_sms[m][ri] <= now
        if delivered:
            miss[m] = 0
            return
        miss[m] += 1
        if miss[m] >= mb.react_n and not pending[m]:
            pending[m] = True
            miss[m] = 0
            push(now + mb.react_d, PH_USER, DYNAMIC, (next(dyn),), lambda n2: reconfigure(m, n2))

    for m, mb in enumerate(sc.mailboxes):
        if mb.react_n is None:
            continue
        for ri, (r, item, k, occ) in enumerate(rems[m]):
            if intent_on(mb, r) and occ < end:
                push(occ, PH_OBSERVE, STATIC, (m, occ, item, k), lambda now, m=m, ri=ri: observe(m, ri, now))

    # --- event loop ---
    clock = None
    while heap:
        t, phase, cls, key, _, fn = heapq.heappop(heap)
        if t >= end:
            break
        assert clock is None or t >= clock, 'time went backwards'
        clock = t
        fn(t)

    # --- metrics ---
    res = {k: 0 for k in ('reminders_expected', 'reminders_on_time', 'reminders_late', 'reminders_missed')}
    missed_rs = [[] for _ in range(nmb)]
    for m, mb in enumerate(sc.mailboxes):
        for ri, (r, item, k, occ) in enumerate(rems[m]):
            if not intent_on(mb, r):
                continue
            res['reminders_expected'] += 1
            f = first_sms[m].get(ri)
            if f is None:
                res['reminders_missed'] += 1
                missed_rs[m].append(r)
            elif f <= occ:
                res['reminders_on_time'] += 1
            else:
                res['reminders_late'] += 1
    exp = res['reminders_expected']
    res['delivery_ratio'] = res['reminders_on_time'] / exp if exp else 1.0
    res['sms_sent'] = len(sms)
    res['duplicate_sms'] = len(sms) - sum(len(x) for x in first_sms)

    dropouts = []
    for m, mb in enumerate(sc.mailboxes):
        if mb.enable_at is None:
            continue
        lo = max(start, mb.enable_at)
        hi = end if mb.disable_at is None else min(end, mb.disable_at)
        if lo >= hi:
            continue
        # state value on each segment [b_i, b_{i+1}) inside [lo, hi)
        cuts = sorted({lo, hi} | {t for t, _ in state_log[m] if lo < t < hi})
        log = state_log[m]
        episodes = []
        j = 0
        cur = 'off'
        for a, b in zip(cuts, cuts[1:]):
            while j < len(log) and log[j][0] <= a:
                cur = log[j][1]
                j += 1
            if cur != 'active':
                if episodes and episodes[-1][1] == a:
                    episodes[-1][1] = b
                else:
                    episodes.append([a, b])
        for a, b in episodes:
            nmiss = sum(1 for r in missed_rs[m] if a <= r < b)
            dropouts.append((mb.name, a, b, nmiss))
    res['dropouts'] = len(dropouts)
    total = sum(b - a for _, a, b, _ in dropouts)
    res['dropout_hours'] = total / MS_PER_HOUR
    res['longest_dropout_hours'] = max((b - a for _, a, b, _ in dropouts), default=0) / MS_PER_HOUR
    res['user_reconfigurations'] = stats['user_reconfigurations']
    res['move_started_events'] = len(move_started)
    res['events_processed'] = stats['events_processed']
    res['max_backlog'] = stats['max_backlog']

    sms_out = []
    for m, ri, t in sms:
        r, item, k, occ = rems[m][ri]
        mb = sc.mailboxes[m]
        sms_out.append([mb.name, mb.items[item].subject, fmt_instant(occ), fmt_instant(t)])
    drop_out = [[n, fmt_instant(a), fmt_instant(b), (b - a) / MS_PER_HOUR, k] for n, a, b, k in dropouts]
    return res, [fmt_instant(t) for t in move_started], sms_out, drop_out


def main(argv):
    args = argv[1:]
    files = []
    policies = []
    seed = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == '--policy' and i + 1 < len(args):
            policies.append(args[i + 1])
            i += 2
        elif a == '--seed' and i + 1 < len(args):
            seed = int(args[i + 1])
            i += 2
        elif a.startswith('-'):
            print(f'usage: {argv[0]} SCENARIO.yaml [--policy P]... [--seed N]', file=sys.stderr)
            return 2
        else:
            files.append(a)
            i += 1
    if len(files) != 1:
        print(f'usage: {argv[0]} SCENARIO.yaml [--policy P]... [--seed N]', file=sys.stderr)
        return 2
    try:
        sc = Loader(files[0]).load(seed)
        pols = sc.policies
        if policies:
            known = {p.name: p for p in sc.policies}
            known.update({k: v for k, v in BUILTIN.items() if k not in known})
            pols = []
            for p in policies:
                if p not in known:
                    raise InputError(f'unknown policy {p!r}')
                pols.append(known[p])
        out = {'scenario': sc.name, 'seed': sc.seed, 'policies': {}, 'move_started': {}, 'sms': {}, 'dropouts': {}}
        for p in pols:
            res, ms, so, do = run(sc, p)
            out['policies'][p.name] = res
            out['move_started'][p.name] = ms
            out['sms'][p.name] = so
            out['dropouts'][p.name] = do
    except (InputError, OSError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
