"Bundle a run of emoxnet.transfer.run_transfer as the package's EmoXNetLite: bundle_checkpoint (face margin, SynthFACS test, card), then the card's training-data and limits from the run (card_for_transfer). Usage: python tools/bundle_realstudent.py RUN_DIR [DST] (DST default: emoxnet/assets/emoxnetlite)"
import argparse, shlex
from pathlib import Path
from emoxnet.core import BASIC, load_json, atomic_write, zoo_name
from emoxnet.data.experiment import resolve_path   # runs/... in the settings' runs_dir, as run_transfer read them
from emoxnet.models import checkpoint_path   # init may be zoo:NAME
from emoxnet.release import bundle_checkpoint
from emoxnet.transfer import SYNTHFACS_SETS, card_for_transfer, card_init, ensemble_members, load_teacher, teacher_fingerprint
from emoxnet.zoo import ZOO
ap = argparse.ArgumentParser(description=__doc__.split(' Usage:')[0])
ap.add_argument('run', metavar='RUN_DIR', help='a run_transfer output folder (metrics.json, train/checkpoint)')
ap.add_argument('dst', metavar='DST', nargs='?', help='where to write the bundled checkpoint (default: emoxnet/assets/emoxnetlite)')
ap.add_argument('--force', action='store_true', help='bundle a smoke run or a run cut short by max_items/max_steps (a check of the pipeline, not a model to ship)')
args = ap.parse_args()
run = resolve_path(args.run); m = load_json(run / 'metrics.json'); c = m['config']
if not args.force and (cut := [k for k in ('smoke', 'max_items', 'max_steps') if c.get(k)]):
    ap.error(f"{run} is a {'smoke run' if c.get('smoke') else 'run cut short (' + ', '.join(f'{k}={c[k]}' for k in cut) + ')'}: not a model to ship; --force bundles it anyway")
try: now = teacher_fingerprint(load_teacher([str(resolve_path(t)) for t in c['teachers']], BASIC, c['weights'])) if m.get('teacher_fingerprint') else None
except (OSError, ValueError) as e: ap.error(f"the teachers {run} was distilled from cannot be read ({e}); the card names them: bundle where they are")
if now is not None and now != m['teacher_fingerprint']:
    ap.error(f"the teachers {', '.join(c['teachers'])} hold other weights than {run} was distilled from (a folder rebuilt since): the card would name the wrong teachers; "
             "restore or rebuild them as they were, or bundle from the checkout where the run was made")
names = lambda ps: ', '.join(f"`{Path(p).name}`" for p in ps)
style = (c.get('transfer_synth') or {}).get('style', 'flat')
notes = ([f"SynthFACS in its `{style}` render style"] if SYNTHFACS_SETS & set(c['transfer'].split('+')) else []) + \
        (["balanced on the teacher's top labels"] if c.get('balance') else [])
init = f", started from the weights of `{Path(c['init']).name}` (learning rate {c['lr']:g})" if c.get('init') else ''
prov = (f"EmoXNetLite distilled by `emoxnet.transfer.run_transfer` (`nbs/realstudent.ipynb`, seed {c['seed']}, student `{c['student']}` "
        f"at {c['input_size']} px grey{init}, {c['epochs']} epochs, KD alpha 1, T {c['temperature']}, smoothing {c['smoothing']}) from the mean of the "
        f"probabilities of the real-trained teacher(s) {names(c['teachers'])}, on the `{c['transfer']}` transfer set{' (' + '; '.join(notes) + ')' if notes else ''}; "
        f"chosen among the candidates of `docs/transfer.md` on the LFW dev check (`emoxnet realcheck`), git `{m['git_rev']}`.")
members = {t: ms for t in c['teachers'] if (ms := ensemble_members(resolve_path(t))) is not None}
named = [n for t in c['teachers'] for n in members.get(t, [zoo_name(t) or Path(t).name])] + ([zoo_name(c['init']) or Path(c['init']).name] if c.get('init') else [])
zoo = [n for n in dict.fromkeys(named) if n in ZOO]
own = [n for n in dict.fromkeys(named) if n not in ZOO]   # trained here, not imported: the card's commands cannot fetch them
params = ' '.join(f"-p {k} {v}" for k, v in [('transfer', c['transfer']), ('teachers', ','.join(c['teachers'])), ('student', c['student']),
                                             ('init', c.get('init') or "''"), ('lr', c['lr']), ('balance', c.get('balance', False)), ('transfer_style', style),
                                             ('epochs', c['epochs']), ('seed', c['seed']), ('out_dir', c['out_dir'])]
                                            + [('judge', c.get('judge') or "''"), ('input_size', c['input_size'])] + [('unlabelled_dir', shlex.quote(str(c['unlabelled_dir'])))] * bool(c.get('unlabelled_dir')))
cmds = "# 1. the real-trained models (pinned versions + sha256, see emoxnet.zoo)\n" + '\n'.join(f".venv/bin/emoxnet zoo import {z}" for z in zoo) + \
       ''.join(f"\n# {n}: a model trained here, not in the zoo (its own run makes it)" for n in own) + \
       ''.join(f"\n.venv/bin/emoxnet ensemble build {' '.join('runs/zoo/' + n for n in ns)} --out {t}" for t, ns in members.items()) + f"""
# 2. distil on the transfer set, score on the dev check and SynthFACS (writes {c['out_dir']}/metrics.json)
.venv/bin/papermill nbs/realstudent.ipynb /tmp/realstudent.ipynb {params}
# 3. calibrate the face margin, evaluate on SynthFACS, write emoxnet/assets/emoxnetlite/ and this card
.venv/bin/python tools/bundle_realstudent.py {c['out_dir']}"""
dst = bundle_checkpoint(run / 'train' / 'checkpoint', args.dst, provenance=prov, commands=cmds, init=card_init(m),
                        licence=checkpoint_path(str(resolve_path(c['init']))) / 'LICENSE' if c.get('init') else None)   # the started-from model's licence ships with the weights
card = card_for_transfer((dst / 'MODEL_CARD.md').read_text(), m)
with atomic_write(dst / 'MODEL_CARD.md') as f: f.write(card)
print(card)
