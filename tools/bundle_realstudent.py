"Bundle a run of emoxnet.transfer.run_transfer as the package's EmoXNetLite: bundle_checkpoint (face margin, SynthFACS test, card), then the card's training-data and limits from the run (card_for_transfer). Usage: python tools/bundle_realstudent.py RUN_DIR [DST] (DST default: emoxnet/assets/emoxnetlite)"
from pathlib import Path
from emoxnet.core import load_json, atomic_write
from emoxnet.models import checkpoint_path   # init may be zoo:NAME
from emoxnet.release import bundle_checkpoint
from emoxnet.transfer import SYNTHFACS_SETS, card_for_transfer, card_init, ensemble_members
import argparse
ap = argparse.ArgumentParser(description=__doc__.split(' Usage:')[0])
ap.add_argument('run', metavar='RUN_DIR', help='a run_transfer output folder (metrics.json, train/checkpoint)')
ap.add_argument('dst', metavar='DST', nargs='?', help='where to write the bundled checkpoint (default: emoxnet/assets/emoxnetlite)')
args = ap.parse_args()
run = Path(args.run); m = load_json(run / 'metrics.json'); c = m['config']
names = lambda ps: ', '.join(f"`{Path(p).name}`" for p in ps)
style = (c.get('transfer_synth') or {}).get('style', 'flat')
notes = ([f"SynthFACS in its `{style}` render style"] if SYNTHFACS_SETS & set(c['transfer'].split('+')) else []) + \
        (["balanced on the teacher's top labels"] if c.get('balance') else [])
init = f", started from the weights of `{Path(c['init']).name}` (learning rate {c['lr']:g})" if c.get('init') else ''
prov = (f"EmoXNetLite distilled by `emoxnet.transfer.run_transfer` (`nbs/realstudent.ipynb`, seed {c['seed']}, student `{c['student']}` "
        f"at {c['input_size']} px grey{init}, {c['epochs']} epochs, KD alpha 1, T {c['temperature']}, smoothing {c['smoothing']}) from the mean of the "
        f"probabilities of the real-trained teacher(s) {names(c['teachers'])}, on the `{c['transfer']}` transfer set{' (' + '; '.join(notes) + ')' if notes else ''}; "
        f"chosen among the candidates of `docs/transfer.md` on the LFW dev check (`emoxnet realcheck`), git `{m['git_rev']}`.")
members = {t: ms for t in c['teachers'] if (ms := ensemble_members(t)) is not None}
zoo = list(dict.fromkeys([n for t in c['teachers'] for n in members.get(t, [Path(t).name])] + ([Path(c['init']).name] if c.get('init') else [])))
params = ' '.join(f"-p {k} {v}" for k, v in [('transfer', c['transfer']), ('teachers', ','.join(c['teachers'])), ('student', c['student']),
                                             ('init', c.get('init') or "''"), ('lr', c['lr']), ('balance', c.get('balance', False)), ('transfer_style', style),
                                             ('epochs', c['epochs']), ('seed', c['seed']), ('out_dir', c['out_dir'])])
cmds = "# 1. the real-trained models (pinned versions + sha256, see emoxnet.zoo)\n" + '\n'.join(f".venv/bin/emoxnet zoo import {z}" for z in zoo) + \
       ''.join(f"\n.venv/bin/emoxnet ensemble build {' '.join('runs/zoo/' + n for n in ns)} --out {t}" for t, ns in members.items()) + f"""
# 2. distil on the transfer set, score on the dev check and SynthFACS (writes {c['out_dir']}/metrics.json)
.venv/bin/papermill nbs/realstudent.ipynb /tmp/realstudent.ipynb {params}
# 3. calibrate the face margin, evaluate on SynthFACS, write emoxnet/assets/emoxnetlite/ and this card
.venv/bin/python tools/bundle_realstudent.py {c['out_dir']}"""
dst = bundle_checkpoint(run / 'train' / 'checkpoint', args.dst, provenance=prov, commands=cmds, init=card_init(m),
                        licence=checkpoint_path(c['init']) / 'LICENSE' if c.get('init') else None)   # the started-from model's licence ships with the weights
card = card_for_transfer((dst / 'MODEL_CARD.md').read_text(), m)
with atomic_write(dst / 'MODEL_CARD.md') as f: f.write(card)
print(card)
