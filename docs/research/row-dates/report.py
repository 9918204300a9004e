#!/usr/bin/env python3
"""Summaries for README.md: confidence counts and rows per quarter by backend."""
import json, collections
d = json.load(open('/work/staging/row-dates/dates.json'))
rows = {}
for f in ('benchmarks.json', 'benchmarks-configs.json'):
    for r in json.load(open('/work/main/data/' + f))['benchmarks']:
        rows[r['id']] = r
print('confidence:', dict(collections.Counter(v['confidence'] for v in d.values())))
print('engine:', dict(collections.Counter(v['engine'] for v in d.values())))
backends = sorted({r['backend'] for r in rows.values()})
quarters = ['%dQ%d' % (y, q) for y in range(2023, 2027) for q in range(1, 5)][3:]
tab = collections.defaultdict(collections.Counter)
for k, v in d.items():
    if not v['date']:
        tab['undated'][rows[k]['backend']] += 1; continue
    y, m = int(v['date'][:4]), int(v['date'][5:7])
    tab['%dQ%d' % (y, (m - 1) // 3 + 1)][rows[k]['backend']] += 1
hdr = '| quarter | ' + ' | '.join(backends) + ' | total | of which ik_llama.cpp |'
print(hdr); print('|' + '---|' * (len(backends) + 3))
ikq = collections.Counter()
for k, v in d.items():
    if v['date'] and v['engine'] == 'ik_llama.cpp':
        y, m = int(v['date'][:4]), int(v['date'][5:7]); ikq['%dQ%d' % (y, (m - 1) // 3 + 1)] += 1
    elif v['engine'] == 'ik_llama.cpp': ikq['undated'] += 1
for q in quarters + ['undated']:
    c = tab[q]
    print('| %s | %s | %d | %d |' % (q, ' | '.join(str(c[b]) for b in backends), sum(c.values()), ikq[q]))
