#!/usr/bin/env python3
"""Collect PR-number -> date anchors and build-number -> date anchors from local mirrors.
Writes pr_anchors.json next to this script."""
import subprocess, re, json, os, collections
HERE = os.path.dirname(os.path.abspath(__file__))
GGML = '/work/.mirror/ggml-org+ggml/repo'
IK = '/work/.mirror/ikawrakow+ik_llama.cpp/repo'
IK_FORK = '9fa794699'   # last mainline commit in the ik mirror (2024-06-21, build 3198)

def git(repo, *args):
    return subprocess.run(['git', '-C', repo] + list(args), capture_output=True, text=True).stdout

def main():
    mainline = {}   # PR number -> (date, how)
    # 1. ggml mirror: commit subjects "(llama/NNNNN)", author date (≈ llama.cpp merge date)
    for line in git(GGML, 'log', '--all', '--format=%aI|%cI|%s').splitlines():
        a, c, s = line.split('|', 2)
        for n in re.findall(r'\(llama/(\d+)\)', s):
            n = int(n); d = a[:10]
            if n not in mainline or d < mainline[n][0]:
                mainline[n] = (d, 'ggml sync (llama/%d) author date' % n)
    # 2. ik mirror up to the fork: mainline commit subjects "(#NNNN)", commit date = merge date
    for line in git(IK, 'log', '--first-parent', '--format=%cI|%s', IK_FORK).splitlines():
        c, s = line.split('|', 1)
        m = re.search(r'\(#(\d+)\)\s*$', s)
        if m:
            n = int(m.group(1)); d = c[:10]
            if n not in mainline or d < mainline[n][0]:
                mainline[n] = (d, 'llama.cpp merge commit (ik mirror, pre-fork)')
    # 3. ik_llama.cpp: github-data Created dates + post-fork "(#NNN)" commit subjects
    ik = {}
    files = git(IK, 'ls-tree', '-r', '--name-only', 'HEAD', 'github-data').splitlines()
    ikdata = {}
    for f in files:
        m = re.match(r'github-data/(discussions|issues|pull_requests)/(\d+) - ', f)
        if not m: continue
        kind, n = m.group(1), int(m.group(2))
        txt = git(IK, 'show', 'HEAD:' + f)
        cm = re.search(r'\*\*Created\*\*\s*\|\s*(\d{4}-\d{2}-\d{2})', txt)
        replies = re.findall(r'👤 \*\*([^*]+)\*\* (?:replied|commented|submitted)[^\n]*?\*\*(\d{4}-\d{2}-\d{2})\*\*', txt)
        if cm:
            ik[n] = (cm.group(1), 'ik github-data %s/%d Created' % (kind, n))
        ikdata[n] = {'kind': kind, 'created': cm.group(1) if cm else None,
                     'replies': replies}
    for line in git(IK, 'log', '--first-parent', '--format=%aI|%cI|%s', 'HEAD', '^' + IK_FORK).splitlines():
        a, c, s = line.split('|', 2)
        m = re.search(r'\(#(\d+)\)\s*$', s)
        if m:
            n = int(m.group(1))
            if n not in ik:
                ik[n] = (a[:10], 'ik commit (#%d) author date (merge)' % n)
    # 4. mainline build number -> date, exact up to the fork (rev-list count == build number; history linear, 0 merges)
    revs = git(IK, 'rev-list', '--first-parent', '--reverse', '--format=%cI', IK_FORK).splitlines()
    dates = [l[:10] for l in revs if not l.startswith('commit ')]
    hashes = [l.split()[1] for l in revs if l.startswith('commit ')]
    exact_builds = {str(i + 1): dates[i] for i in range(len(dates))}
    out = {
        'mainline_pr': {str(k): v for k, v in sorted(mainline.items())},
        'ik_pr': {str(k): v for k, v in sorted(ik.items())},
        'ik_github_data': {str(k): v for k, v in sorted(ikdata.items())},
        'mainline_build_exact': exact_builds,
    }
    json.dump(out, open(os.path.join(HERE, 'pr_anchors.json'), 'w'), indent=0)
    print(len(mainline), len(ik), len(ikdata), len(exact_builds))

if __name__ == '__main__':
    main()
