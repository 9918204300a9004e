#!/usr/bin/env python3
"""Estimate the llama.cpp / ik_llama.cpp build date of every benchmark row in llmsize.

Reads  /work/main/data/benchmarks.json, /work/main/data/benchmarks-configs.json (read-only)
       pr_anchors.json (from build_anchors.py), manual_overrides.json (hand look-ups)
Writes dates.json  {row id: {date, engine, basis, confidence, [earliest], [latest]}}

Order of evidence (first that applies wins):
  0. manual override (hand look-up, manual_overrides.json)
  1. row "build": commit hash found in a local mirror (exact), else build number -> date
     (exact table up to b3198 from the ik mirror, piecewise-linear interpolation later)
  2. an ISO date written in the source string (comment/run date)           ±1 month
  3. a build number written in the notes ("build 5139", "(4384)", "b5589")
  4. an ISO date in the notes / id / source path                            ±1 month
  5. ik_llama.cpp github-data: the reply date of the commenter named in the row
  6. PR / issue / discussion number: creation date (ik github-data Created, else
     interpolation between PR-number anchors from the ggml / ik mirrors)
  7. "Mon YYYY" / "YYYY-MM" month in notes                                  ±1..3 months
  8. scoreboards with an unknown commit: no date, earliest = discussion creation
"""
import json, re, os, subprocess, bisect, datetime as dt, collections

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = '/work/main/data'
MIRRORS = {
    'ik': '/work/.mirror/ikawrakow+ik_llama.cpp/repo',
    'ggml': '/work/.mirror/ggml-org+ggml/repo',
    'kyuz0-strix': '/work/.mirror/kyuz0+amd-strix-halo-toolboxes/repo',
    'kyuz0-r9700': '/work/.mirror/kyuz0+amd-r9700-ai-toolboxes/repo',
    'cicero': '/work/.mirror/gaperton+cicero-home-ai/repo',
}
IK_FORK = '9fa794699'
A = json.load(open(os.path.join(HERE, 'pr_anchors.json')))
# Hand look-ups, keyed by a substring of the row's source (see README "Manual look-ups").
MANUAL_BY_SOURCE = [
    ('intel/ipex-llm/issues/12991', dict(date='2025-03-22', confidence='±1 month', engine='ipex-llm (llama.cpp fork)',
        basis='ipex-llm issue #12991, TabNahida comment 2025-03-22 with the llama-bench table (issues search corpus)')),
    ('mixa3607/ML-gfx906', dict(date='2025-07', confidence='±3 months',
        basis='commit 982e3472 not in a local mirror; gemma3n results need llama.cpp #14400 (merged 2025-06-26), ROCm 6.3.4/6.4.1 builds, README already points at a ROCm 7.0.0 image', earliest='2025-06-26')),
    ('Rajakoduri-Mihira/llama.cpp', dict(date=None, confidence='unknown', earliest='2025-08-05',
        basis='fork BENCHMARK.md, no date; gpt-oss GGUFs (ggml-org) exist only from 2025-08-05')),
    ('reynardo-tjhin/localllm-commands', dict(date=None, confidence='unknown', earliest='2025-08-05',
        basis='README, no date; -ncmoe / gpt-oss / GLM-4.5-Air support put it after early Aug 2025')),
    ('Framework 16 llama-bench-shootout', dict(date=None, confidence='unknown', earliest='2025-10-28',
        basis='commit 0ed235ea2 not in a local mirror; Fedora 43 (released 2025-10-28) is a lower bound')),
    ('kyuz0/mi50-gfx906-toolboxes', dict(date='2026-04', confidence='±3 months', earliest='2026-03',
        basis='README table for the ROCm 7.2.1 toolbox; no build printed; ROCm 7.2.1 (≈2026-03) is a lower bound, kyuz0 strix toolboxes moved to 7.2.3 by 2026-05')),
    ('brand-o/normiebench', dict(date=None, confidence='unknown',
        basis='normiebench issue; no date or build in the row and the repository is not mirrored')),
]
MANUAL = {}
if os.path.exists(os.path.join(HERE, 'manual_overrides.json')):
    MANUAL = json.load(open(os.path.join(HERE, 'manual_overrides.json')))

def D(s): return dt.date.fromisoformat(s)
def S(d): return d.isoformat()

# ---------------------------------------------------------------- mainline build -> date
# (build, date, note). Post-fork points: docs/research/build-eras.md anchors + rule of thumb,
# and kyuz0 toolbox / cicero logs (first commit in which "build: <hash> (N)" appears = upper bound).
BUILD_POINTS = [
    (3198, '2024-06-21', 'exact'), (3485, '2024-07-29', 'log'), (4000, '2024-10-30', 'rule'),
    (4123, '2024-11-17', 'log'), (5000, '2025-03-30', 'rule'), (5233, '2025-04-30', 'issue'),
    (5331, '2025-05-09', 'log'), (5470, '2025-05-24', 'issue #13751'), (5589, '2025-06-04', 'PR #14001'),
    (5781, '2025-07-01', 'log'), (5830, '2025-07-06', 'log'), (6000, '2025-07-25', 'rule'),
    (6302, '2025-08-27', 'issue'), (6875, '2025-10-29', 'PR #16536'), (7000, '2025-11-10', 'rule'),
    (7328, '2025-12-10', 'PR'), (7394, '2025-12-14', 'fix #18006'), (8000, '2026-02-05', 'rule'),
    (8779, '2026-04-15', 'issue'), (8933, '2026-04-25', 'issue'), (9000, '2026-05-10', 'rule'),
    (9592, '2026-06-11', 'issue'), (10000, '2026-07-20', 'rule'), (10298, '2026-08-07', 'issue #26663'),
    (10549, '2026-08-25', 'PR #27721'), (10930, '2026-09-13', 'PR #28846 comment'),
]
KYUZ0 = {6040: '2025-08-03', 6101: '2025-08-06', 6119: '2025-08-09', 6122: '2025-08-10', 6181: '2025-08-17',
         6486: '2025-09-17', 6609: '2025-09-28', 6735: '2025-10-12', 7034: '2025-11-15', 7074: '2025-11-17',
         7189: '2025-11-28', 7205: '2025-11-30', 7278: '2025-12-05', 7285: '2025-12-06', 7312: '2025-12-07',
         7423: '2025-12-17', 7670: '2026-01-10', 7693: '2026-01-12', 7816: '2026-01-23', 7938: '2026-02-04',
         8577: '2026-03-30', 8743: '2026-04-11', 8797: '2026-04-15', 8834: '2026-04-18', 8942: '2026-04-29',
         8997: '2026-05-03', 9112: '2026-05-12', 9187: '2026-05-18'}
for b, d in KYUZ0.items():
    BUILD_POINTS.append((b, d, 'toolbox log'))
BUILD_POINTS.sort()
# upper-bound points: make dates non-decreasing by a right-to-left running minimum
_bp = [[b, D(d)] for b, d, _ in BUILD_POINTS]
for i in range(len(_bp) - 2, -1, -1):
    if _bp[i][1] > _bp[i + 1][1]:
        _bp[i][1] = _bp[i + 1][1]
BP_B = [p[0] for p in _bp]; BP_D = [p[1] for p in _bp]
EXACT_BUILD = A['mainline_build_exact']

def mainline_build_date(n):
    if str(n) in EXACT_BUILD:
        return D(EXACT_BUILD[str(n)]), 'exact'
    if n >= BP_B[-1]:
        return BP_D[-1] + dt.timedelta(days=(n - BP_B[-1]) / 12.0), '±1 month'
    i = bisect.bisect_right(BP_B, n) - 1
    b0, d0, b1, d1 = BP_B[i], BP_D[i], BP_B[i + 1], BP_D[i + 1]
    f = (n - b0) / (b1 - b0)
    return d0 + dt.timedelta(days=round(f * (d1 - d0).days)), '±1 month'

# ---------------------------------------------------------------- PR number -> date
def envelope(anchors):
    """anchors: {n: date}. Creation-date estimate: min merge date over all anchors with number >= n
    (a PR/issue is created before any later-numbered one is merged)."""
    items = sorted((int(k), D(v[0])) for k, v in anchors.items())
    ns = [n for n, _ in items]; ds = [d for _, d in items]
    for i in range(len(ds) - 2, -1, -1):
        if ds[i] > ds[i + 1]:
            ds[i] = ds[i + 1]
    return ns, ds

ML_N, ML_D = envelope(A['mainline_pr'])
IK_N, IK_D = envelope(A['ik_pr'])

def number_date(n, ns, ds):
    i = bisect.bisect_left(ns, n)
    if i < len(ns) and ns[i] == n:
        return ds[i], 0
    if i == 0:
        return ds[0], ns[0] - n
    if i >= len(ns):
        return ds[-1], n - ns[-1]
    n0, d0, n1, d1 = ns[i - 1], ds[i - 1], ns[i], ds[i]
    f = (n - n0) / (n1 - n0)
    return d0 + dt.timedelta(days=round(f * (d1 - d0).days)), min(n - n0, n1 - n)

# ---------------------------------------------------------------- commit hashes
_hash_cache = {}
def hash_date(h):
    if h in _hash_cache: return _hash_cache[h]
    res = None
    for name in ('ik', 'ggml'):
        r = subprocess.run(['git', '-C', MIRRORS[name], 'log', '-1', '--format=%H %cI', h + '^{commit}', '--'],
                           capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip():
            full, date = r.stdout.split()
            mainline = False
            if name == 'ik':
                mainline = subprocess.run(['git', '-C', MIRRORS['ik'], 'merge-base', '--is-ancestor', full, IK_FORK]).returncode == 0
            res = (date[:10], name, mainline)
            break
    _hash_cache[h] = res
    return res

def blob_commit_date(url):
    m = re.search(r'github\.com/(kyuz0/amd-strix-halo-toolboxes|kyuz0/amd-r9700-ai-toolboxes|gaperton/cicero-home-ai)/blob/([0-9a-f]{40})/', url)
    if not m: return None
    repo = {'kyuz0/amd-strix-halo-toolboxes': 'kyuz0-strix', 'kyuz0/amd-r9700-ai-toolboxes': 'kyuz0-r9700',
            'gaperton/cicero-home-ai': 'cicero'}[m.group(1)]
    r = subprocess.run(['git', '-C', MIRRORS[repo], 'log', '-1', '--format=%cI', m.group(2)], capture_output=True, text=True)
    return r.stdout.strip()[:10] or None

# ---------------------------------------------------------------- text parsing
ISO = re.compile(r'(?<![\d])(20[2][3-6])-(0[1-9]|1[0-2])-([0-3]\d)(?![\d])')
MONTHS = {m: i + 1 for i, m in enumerate(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'])}
MONTHNAME = re.compile(r'\b(?:(\d{1,2}) )?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (20[2][3-6])\b')
SKIP_CTX = re.compile(r'(accessed|driver|adrenalin|kernel|firmware|bios|rocm \d|sdk)\W*$', re.I)

def iso_dates(text):
    out = []
    for m in ISO.finditer(text or ''):
        pre = text[max(0, m.start() - 25):m.start()]
        if SKIP_CTX.search(pre):
            continue
        try:
            out.append(D(m.group(0)))
        except ValueError:
            pass
    return out

def month_dates(text):
    out = []
    for m in MONTHNAME.finditer(text or ''):
        pre = text[max(0, m.start() - 25):m.start()]
        if SKIP_CTX.search(pre):
            continue
        day = int(m.group(1)) if m.group(1) else None
        out.append((int(m.group(3)), MONTHS[m.group(2).lower()], day))
    return out

def build_from_field(b):
    """-> (hash or None, build number or None, special)"""
    b = b.strip()
    m = re.match(r'^([0-9a-f]{7,12})\s*\((?:b)?(\d{3,5})\)$', b)
    if m: return m.group(1), int(m.group(2))
    m = re.match(r'^(\d{3,5})\s*\(([0-9a-f]{7,12})\)$', b)
    if m: return m.group(2), int(m.group(1))
    m = re.match(r'^b(\d{3,5})\b', b)
    if m: return None, int(m.group(1))
    m = re.match(r'^([0-9a-f]{7,12})$', b)
    if m: return m.group(1), None
    return None, None

NOTE_BUILD = [re.compile(r'\bbuild[s]?\s*[:#]?\s*b?(\d{4,5})\b', re.I),
              re.compile(r'\b[0-9a-f]{7,10} \((\d{4,5})\)'),
              re.compile(r'\bbuild [0-9a-f]{7,10} / (\d{4,5})\b'),
              re.compile(r'(?<![\w/#.-])b(\d{4,5})\b')]

def notes_build(text):
    for rx in NOTE_BUILD:
        m = rx.search(text or '')
        if m:
            n = int(m.group(1))
            if 1000 <= n <= 11500:
                return n, m.group(0)
    return None

def parse_ref(src):
    m = re.search(r'github\.com/(ggml-org|ggerganov)/llama\.cpp/(pull|issues|discussions)/(\d+)', src)
    if m: return 'mainline', m.group(2), int(m.group(3))
    m = re.search(r'github\.com/ikawrakow/ik_llama\.cpp/(pull|issues|discussions)/(\d+)', src)
    if m: return 'ik', m.group(1), int(m.group(2))
    m = re.search(r'\bik_llama\.cpp (?:PR|issue|discussion) #(\d+)', src)
    if m: return 'ik', 'ref', int(m.group(1))
    return None

SCOREBOARDS = {4167, 15013, 15021, 10879}

def detect_engine(r):
    if r.get('engine'): return r['engine']
    t = ' '.join([r.get('notes') or '', r['source'], r.get('build') or '', r['id']])
    if 'PrismML' in t or 'prism-b' in t: return 'llama.cpp (PrismML fork)'
    if 'IPEX-LLM' in t or 'ipex-llm' in t: return 'ipex-llm (llama.cpp fork)'
    if 'rocm/llama.cpp docker' in t: return 'llama.cpp (AMD ROCm fork image)'
    return 'llama.cpp'

def commenter_date(r, ikd):
    """ik github-data: reply date of a commenter named in source/notes."""
    if not ikd or not ikd.get('replies'): return None
    text = r['source'] + ' ' + (r.get('notes') or '')
    text = re.sub(r'\S*(github\.com|/)\S*', ' ', text)          # drop URLs / paths (they name ikawrakow)
    text = re.sub(r'ikawrakow/ik_llama\.cpp', ' ', text)
    authors = collections.OrderedDict()
    for a, d in ikd['replies']:
        authors.setdefault(a, []).append(d)
    hits = []
    for a, ds in authors.items():
        if re.search(r'(?<![\w])@?' + re.escape(a) + r'(?![\w])', text):
            hits.append((text.find(a), a, ds))
    if not hits: return None
    hits.sort()
    _, a, ds = hits[0]
    return a, sorted(ds)

# ---------------------------------------------------------------- main
def date_row(r):
    rid = r['id']; src = r['source']; notes = r.get('notes') or ''
    engine = detect_engine(r)
    is_ik = engine == 'ik_llama.cpp'
    rec = {'date': None, 'engine': engine, 'basis': None, 'confidence': 'unknown'}
    ref = parse_ref(src)
    if rid in MANUAL:
        rec.update(MANUAL[rid]); return rec
    for key, val in MANUAL_BY_SOURCE:
        if key in src:
            rec.update(val); rec['basis'] = 'manual: ' + rec['basis']; return rec
    # latest bound from a pinned blob commit in a local mirror
    bc = blob_commit_date(src)
    if bc: rec['latest'] = bc
    # 1. build field
    b = r.get('build')
    if b:
        h, n = build_from_field(b)
        hd = hash_date(h) if h else None
        if hd:
            rec.update(date=hd[0], confidence='exact',
                       basis='commit %s dated in the %s mirror%s' % (h, 'ik_llama.cpp' if hd[1] == 'ik' else 'ggml',
                       ' (mainline history)' if hd[2] else ''))
            return rec
        if n and not is_ik:
            d, conf = mainline_build_date(n)
            rec.update(date=S(d), confidence=conf, basis='build b%d (%s)' % (n, 'exact rev-list count, ik mirror' if conf == 'exact' else 'interpolated between build anchors'))
            return rec
        m = re.search(r'master of (20\d\d-\d\d-\d\d)', b)
        if m:
            rec.update(date=m.group(1), confidence='exact', basis='build field: master of ' + m.group(1)); return rec
        m = re.search(r'PR (\d{4,5})', b)
        if m and not ref:
            ref = ('mainline', 'pull', int(m.group(1)))
    # 2. ISO date in the source string
    sd = iso_dates(src)
    if sd:
        rec.update(date=S(sd[0]), confidence='±1 month', basis='date in source (%s)' % S(sd[0])); return rec
    # 3. build number in notes
    nb = notes_build(notes) if not is_ik and not (ref and ref[0] == 'mainline' and ref[2] in SCOREBOARDS) else None
    if nb:
        d, conf = mainline_build_date(nb[0])
        rec.update(date=S(d), confidence='±1 month' if conf != 'exact' else 'exact', basis='build b%d named in notes ("%s")' % (nb[0], nb[1])); return rec
    if ref and ref[0] == 'mainline' and ref[2] in SCOREBOARDS:
        m = re.search(r'scoreboard state of (20\d\d-\d\d)', notes)
        if m:
            rec.update(date=m.group(1), confidence='±3 months', basis='notes: scoreboard state of ' + m.group(1)); return rec
        d, _ = number_date(ref[2], ML_N, ML_D)
        rec.update(date=None, confidence='unknown', earliest=S(d),
                   basis='scoreboard discussion #%d (created ≈%s); commit not datable offline' % (ref[2], S(d)))
        if b: rec['basis'] += '; commit ' + b
        return rec
    # 4. ISO date in notes / id / source path
    nd = iso_dates(notes)
    if nd:
        rec.update(date=S(nd[0]), confidence='±1 month', basis='date in notes (%s)' % S(nd[0])); return rec
    idd = iso_dates(rid) or iso_dates(re.sub(r'accessed \S+', '', src.split(' ;')[0]))
    if idd:
        rec.update(date=S(idd[0]), confidence='±1 month', basis='date in id/source path (%s)' % S(idd[0])); return rec
    m = re.search(r'(?<!\d)([0-3]\d)-([01]\d)-(202[4-6])(?!\d)', rid + ' ' + src)
    if m:
        d = '%s-%s-%s' % (m.group(3), m.group(2), m.group(1))
        rec.update(date=d, confidence='±1 month', basis='date in id/source (%s)' % m.group(0)); return rec
    # 5./6. PR / issue / discussion number
    if ref:
        repo, kind, num = ref
        if repo == 'ik':
            ikd = A['ik_github_data'].get(str(num))
            cd = commenter_date(r, ikd) if ikd else None
            if cd and 'description' not in src.lower():
                a, ds = cd
                conf = '±1 month' if D(ds[-1]) - D(ds[0]) < dt.timedelta(days=45) else '±3 months'
                rec.update(date=ds[0], confidence=conf,
                           basis='ik_llama.cpp #%d: first reply by %s named in the row (%s%s)' % (num, a, ds[0], '' if ds[0] == ds[-1] else '..' + ds[-1]))
                return rec
            if str(num) in A['ik_pr']:
                d, how = A['ik_pr'][str(num)]
                long_thread = kind == 'discussions' or (ikd and ikd['replies'] and D(max(x[1] for x in ikd['replies'])) - D(d) > dt.timedelta(days=60))
                conf = '±3 months' if long_thread and 'description' not in src.lower() else '±1 month'
                rec.update(date=d, confidence=conf, basis='ik_llama.cpp #%d created %s (%s)' % (num, d, how)); return rec
            d, dist = number_date(num, IK_N, IK_D)
            rec.update(date=S(d), confidence='±1 month', basis='ik_llama.cpp #%d: interpolated between ik PR anchors' % num); return rec
        else:
            if num in SCOREBOARDS:
                pass  # handled below
            else:
                d, dist = number_date(num, ML_N, ML_D)
                merged = A['mainline_pr'].get(str(num))
                basis = 'llama.cpp #%d created ≈%s (PR-number interpolation)' % (num, S(d))
                if merged: basis += '; merged/synced %s' % merged[0]
                rec.update(date=S(d), confidence='±1 month', basis=basis); return rec
    # 7. month in notes / source
    md = month_dates(src) or month_dates(notes)
    if md:
        y, mo, day = md[0]
        rec.update(date='%04d-%02d' % (y, mo) if not day else '%04d-%02d-%02d' % (y, mo, day),
                   confidence='±1 month', basis='month named in source/notes (%s)' % ('%04d-%02d' % (y, mo))); return rec
    m = re.search(r'\b(202[3-6])-(0[1-9]|1[0-2])\b', notes)
    if m:
        rec.update(date=m.group(0), confidence='±3 months', basis='year-month in notes (%s)' % m.group(0)); return rec
    # 8. scoreboards with unknown build
    if ref and ref[0] == 'mainline' and ref[2] in SCOREBOARDS:
        d, _ = number_date(ref[2], ML_N, ML_D)
        rec.update(date=None, confidence='unknown', earliest=S(d),
                   basis='scoreboard discussion #%d (created ≈%s); commit not datable offline' % (ref[2], S(d)))
        if b: rec['basis'] += '; commit ' + b
        return rec
    if bc:
        rec.update(date=None, confidence='unknown', basis='only an upper bound: file committed %s' % bc)
        return rec
    rec['basis'] = 'nothing in build/source/notes dates this row'
    return rec

def main():
    rows = []
    for f in ('benchmarks.json', 'benchmarks-configs.json'):
        for r in json.load(open(os.path.join(MAIN, f)))['benchmarks']:
            r['_file'] = f; rows.append(r)
    out = collections.OrderedDict()
    for r in rows:
        out[r['id']] = date_row(r)
    json.dump(out, open(os.path.join(HERE, 'dates.json'), 'w'), indent=1, ensure_ascii=False)
    c = collections.Counter(v['confidence'] for v in out.values())
    print(len(out), dict(c))

if __name__ == '__main__':
    main()
